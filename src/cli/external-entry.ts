/**
 * Entry point of the bundled plan-time program (`dist/external/access-advisor-external.js`), which Terraform's
 * external data source runs as `node <asset>`: stdin → query, stdout → flat string map, stderr → one error line.
 * It lives with the CLI because it is a process entry: exit statuses are decided here, not in resolve/.
 */
import { runExternalProgram } from '../resolve/external-program';
import { runExternalMain } from './external-main';

void runExternalMain(runExternalProgram);

/**
 * Entry point of the bundled plan-time program (`dist/external/access-advisor-external.js`), which Terraform's
 * external data source runs as `node <asset>`: stdin → query, stdout → flat string map, stderr → one error line.
 */
import { runExternalProgram } from './external-program';
import { runExternalMain } from './external-main';

void runExternalMain(runExternalProgram);

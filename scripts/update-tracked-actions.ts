/**
 * Regenerates src/emulator/data/tracked-actions.json from AWS's machine-readable service reference: one JSON file
 * per service prefix (`{ Name, Actions: [{ Name, SupportedBy: { "IAM Action Last Accessed": bool } }] }`), as the
 * IAM User Guide page "IAM action last accessed information services and actions" points to. A service is listed
 * when at least one of its actions is tracked; its actions are exactly those flagged true.
 *
 * Usage: npx ts-node --transpile-only scripts/update-tracked-actions.ts DIR SNAPSHOT_DATE [READ_DATE]
 *   DIR            directory of <prefix>.json service-reference files
 *   SNAPSHOT_DATE  when that copy of the service reference was taken (YYYY-MM-DD)
 *   READ_DATE      when we read it (default: today)
 * Tracking start dates, names and sources other than the actions are kept from the current file: they come from
 * the User Guide prose, not from the service reference.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomicSync } from '../src/resolve/atomic-write';

interface ServiceReferenceFile {
  Name: string;
  Actions?: { Name: string; SupportedBy?: Record<string, boolean> }[];
}

const [dir, snapshot, read = new Date().toISOString().slice(0, 10)] = process.argv.slice(2);
if (!dir || !snapshot || !/^\d{4}-\d{2}-\d{2}$/.test(snapshot)) {
  process.stderr.write('usage: update-tracked-actions.ts DIR SNAPSHOT_DATE [READ_DATE]\n');
  process.exit(2);
}

const target = path.join(__dirname, '..', 'src', 'emulator', 'data', 'tracked-actions.json');
const current = JSON.parse(fs.readFileSync(target, 'utf8')) as Record<string, unknown> & { sources: Record<string, Record<string, string>> };
const services: Record<string, string[]> = {};
for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
  const data = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as ServiceReferenceFile;
  if (!Array.isArray(data.Actions)) continue;
  const tracked = data.Actions.filter((a) => a.SupportedBy?.['IAM Action Last Accessed'] === true).map((a) => a.Name);
  if (tracked.length > 0) services[data.Name.toLowerCase()] = [...new Set(tracked)].sort();
}
const next = {
  ...current,
  sources: { ...current.sources, actions: { ...current.sources.actions, snapshot, read } },
  services,
};
writeFileAtomicSync(target, `${JSON.stringify(next, null, 1).replace(/\[\n\s+"/g, '["').replace(/",\n\s+"/g, '", "').replace(/"\n\s+\]/g, '"]')}\n`);
process.stdout.write(`${Object.keys(services).length} services, ${Object.values(services).reduce((n, a) => n + a.length, 0)} tracked actions\n`);

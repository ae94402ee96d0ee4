import * as fs from 'node:fs';
import * as path from 'node:path';
import type { World } from '../../src/emulator';
import { ensureBuilt, runCli, tempDir } from '../cli/cli-harness';
import { MGMT, arn, testWorld } from './helpers';

/**
 * Bad world files through the built CLI, exactly as a user meets them: `access-advisor emulator --world FILE`
 * exits 2 with one line naming the file, the JSON pointer, the value and what is allowed — never starts, never
 * a stack trace, never "Maximum call stack".
 */
let dir: string;

beforeAll(() => {
  ensureBuilt();
  dir = tempDir();
}, 180_000);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

type Mutation = (w: World & Record<string, unknown>) => void;

/** `levels` OUs, each the only child of the one above. */
function nestedOus(levels: number) {
  let ou: Record<string, unknown> = { id: 'ou-c3xb-deepest0' };
  for (let i = 0; i < levels; i++) ou = { id: `ou-c3xb-${String(i).padStart(8, '0')}`, organizationalUnits: [ou] };
  return ou;
}

/** Too deep for JSON.stringify: written as text in place of the marker the mutation leaves. */
const DEEP_MARKER = '"__DEEP_CONDITION__"';
const deepConditionText = (levels: number) => `${'{"k":'.repeat(levels)}"x"${'}'.repeat(levels)}`;

const cases: [string, Mutation | string, RegExp][] = [
  ['a world file that does not exist', 'missing.json', /missing\.json: \/: ".*missing\.json" is not allowed; the world file cannot be read \(ENOENT/],
  ['a directory', '.', /: \/: ".*" is not allowed; the world file cannot be read \(EISDIR/],
  ['a file that is not JSON', '{ "accounts": [', /: \/: a missing value is not allowed; the file must be JSON \(/],
  ['an unknown field inside a user', (w) => Object.assign(w.users![0]!, { favouriteColour: 'blue' }), /: \/users\/0\/favouriteColour: "blue" is not allowed; unknown property/],
  ['an unknown field inside a role', (w) => Object.assign(w.roles![0]!, { owner: 'x' }), /: \/roles\/0\/owner: "x" is not allowed; unknown property/],
  ['an unknown field inside an access key', (w) => Object.assign(w.accessKeys[0]!, { expires: 'never' }), /: \/accessKeys\/0\/expires: "never" is not allowed; unknown property/],
  ['an unknown field inside an event', (w) => Object.assign(w.events![0]!, { count: 3 }), /: \/events\/0\/count: 3 is not allowed; unknown property/],
  ['an unknown field inside settings.jobs', (w) => Object.assign(w.settings!.jobs!, { speed: 'fast' }), /: \/settings\/jobs\/speed: "fast" is not allowed; unknown property/],
  ['an unknown top-level field', (w) => Object.assign(w, { principals: [] }), /: \/principals: \[\] is not allowed; unknown property/],
  ['February 31st', (w) => (w.users![0]!.createDate = '2025-02-31'), /: \/users\/0\/createDate: "2025-02-31" is not allowed; must be a real ISO-8601 date/],
  ['month 13', (w) => (w.events![0]!.time = '2025-13-01T00:00:00Z'), /: \/events\/0\/time: "2025-13-01T00:00:00Z" is not allowed; must be a real ISO-8601 date/],
  ['hour 24', (w) => (w.events![0]!.time = '2025-01-01T24:00:00Z'), /: \/events\/0\/time: "2025-01-01T24:00:00Z" is not allowed; must be a real ISO-8601 date/],
  ['February 29th of a common year', (w) => (w.events![0]!.time = '2025-02-29'), /: \/events\/0\/time: "2025-02-29" is not allowed/],
  ['an absurd relative age', (w) => (w.events![0]!.time = '99999999999999999999d ago'), /: \/events\/0\/time: "99999999999999999999d ago" is not allowed; .*at most 36500 days/],
  ['a relative age past 100 years in hours', (w) => (w.events![0]!.time = '900000h ago'), /: \/events\/0\/time: "900000h ago" is not allowed/],
  ['a settings.now that no clock holds', (w) => (w.settings!.now = '1e400d ago'), /: \/settings\/now: "1e400d ago" is not allowed/],
  ['durationMs {min:500,max:100}', (w) => (w.settings!.jobs = { durationMs: { min: 500, max: 100 } }), /: \/settings\/jobs\/durationMs: \{"min":500,"max":100\} is not allowed; "min" must not be greater than "max"/],
  ['latencyMs {min:500,max:100}', (w) => (w.settings!.faults = { latencyMs: { min: 500, max: 100 } }), /: \/settings\/faults\/latencyMs: \{"min":500,"max":100\} is not allowed; "min" must not be greater than "max"/],
  ['latencyMs 1e12', (w) => (w.settings!.faults = { latencyMs: 1e12 }), /: \/settings\/faults\/latencyMs: 1000000000000 is not allowed; must be <= 600000/],
  ['latencyMs max 1e12 in a range', (w) => (w.settings!.faults = { latencyMs: { min: 0, max: 1e12 } }), /: \/settings\/faults\/latencyMs\/max: 1000000000000 is not allowed; must be <= 600000/],
  ['durationMs of a year', (w) => (w.settings!.jobs = { durationMs: 31_536_000_000 }), /: \/settings\/jobs\/durationMs: 31536000000 is not allowed; must be <= 86400000/],
  ['a negative latency', (w) => (w.settings!.faults = { latencyMs: -1 }), /: \/settings\/faults\/latencyMs: -1 is not allowed; must be >= 0/],
  [
    'organizational units nested 500 deep',
    (w) => (w.organization!.root.organizationalUnits = [nestedOus(500) as never]),
    /: \/organization\/root\/organizationalUnits\/0\/organizationalUnits\/0.*\/…\/.*: .* is not allowed; the world nests deeper than 64 levels/,
  ],
  [
    'a policy Condition nested 5000 deep',
    (w) => {
      const statement = { Effect: 'Allow', Action: 's3:*', Resource: '*', Condition: JSON.parse(DEEP_MARKER) as Record<string, unknown> };
      w.roles![0]!.inlinePolicies = { deep: { Version: '2012-10-17', Statement: [statement] } };
    },
    /: \/roles\/0\/inlinePolicies\/deep\/Statement\/0\/Condition\/k\/k.*: .* is not allowed; the world nests deeper than 64 levels/,
  ],
  ['an event of an undeclared principal', (w) => (w.events![0]!.principal = arn(MGMT, 'role', 'ghost')), /: \/events\/0\/principal: "arn:aws:iam::123456789012:role\/ghost" is not allowed; must be the ARN of a user or role declared in the world/],
  ['an empty session token', (w) => (w.accessKeys[0]!.sessionToken = ''), /: \/accessKeys\/0\/sessionToken: "" is not allowed; must NOT have fewer than 1 characters/],
];

test.each(cases)('%s → exit 2 with one line naming the file, pointer, value and rule', async (label, input, message) => {
  let file: string;
  if (typeof input === 'string' && input.startsWith('{')) {
    file = path.join(dir, `${label.replace(/\W+/g, '-')}.json`);
    fs.writeFileSync(file, input);
  } else if (typeof input === 'string') {
    file = input === '.' ? dir : path.join(dir, input);
  } else {
    const world = testWorld() as World & Record<string, unknown>;
    input(world);
    file = path.join(dir, `${label.replace(/\W+/g, '-')}.json`);
    fs.writeFileSync(file, JSON.stringify(world).replace(DEEP_MARKER, deepConditionText(5000)));
  }
  const run = await runCli(['emulator', '--world', file, '--port', '0']);
  expect({ code: run.code, stdout: run.stdout }).toEqual({ code: 2, stdout: '' });
  const lines = run.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]!.startsWith(`access-advisor: ${file}: `)).toBe(true);
  expect(lines[0]).toMatch(message);
  expect(run.stderr).not.toMatch(/Maximum call stack|at \S+ \(|TypeError/);
}, 30_000);

test.each([
  ['--latency 1e12', ['--latency', '1e12'], /--latency must be at most 600000, got "1e12"/],
  ['--job-duration of a year', ['--job-duration', '31536000000'], /--job-duration must be at most 86400000/],
])('flag %s → exit 2', async (_label, flags, message) => {
  const file = path.join(dir, 'valid.json');
  fs.writeFileSync(file, JSON.stringify(testWorld()));
  const run = await runCli(['emulator', '--world', file, '--port', '0', ...flags]);
  expect(run.code).toBe(2);
  expect(run.stdout).toBe('');
  expect(run.stderr).toMatch(message);
}, 30_000);

test('every object of the world schema closes its properties (only a policy Condition is free-form)', () => {
  const schema = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'schema', 'world.schema.json'), 'utf8')) as Record<string, unknown>;
  const open: string[] = [];
  const walk = (node: unknown, where: string) => {
    if (node === null || typeof node !== 'object') return;
    const n = node as Record<string, unknown>;
    const isObject = n.type === 'object' || (n.properties !== undefined && n.type === undefined && !where.endsWith('/allOf/0'));
    if (isObject && n.additionalProperties === undefined && !where.endsWith('/Condition')) open.push(where);
    for (const [k, v] of Object.entries(n)) walk(v, `${where}/${k}`);
  };
  walk(schema, '#');
  // `principal` is closed by each of users, groups and roles (allOf + its own property list).
  expect(open).toEqual(['#/definitions/principal']);
});

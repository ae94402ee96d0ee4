import * as fs from 'node:fs';
import * as path from 'node:path';
import type { default as Ajv, ErrorObject } from 'ajv';
import { AccessAdvisorError, type ErrorKind } from '../model/errors';
import { WORLD_TIME_RULE, isValidWorldTime } from './time';
import { MAX_DURATION_MS, MAX_LATENCY_MS, type World } from './types';

/**
 * A world file that breaks the schema, refers to something it does not declare, or cannot be read. An input error:
 * the CLI exits 2 with its one-line message.
 */
export class WorldValidationError extends AccessAdvisorError {
  readonly kind: ErrorKind = 'input';
  constructor(
    readonly source: string,
    /** JSON pointer of the offending value (`/users/0/name`). */
    readonly pointer: string,
    readonly value: unknown,
    readonly allowed: string,
  ) {
    super(`${source}: ${shortPointer(pointer) || '/'}: ${describeValue(value)} is not allowed; ${allowed}`);
  }
}

/** A pointer 64 levels deep is unreadable in one line: keep its head and tail. */
function shortPointer(pointer: string): string {
  return pointer.length > 160 ? `${pointer.slice(0, 70)}/…/${pointer.slice(-70)}` : pointer;
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'a missing value';
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = Array.isArray(value) ? '[…]' : typeof value === 'object' ? '{…}' : String(value);
  }
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

/**
 * Deepest nesting a world may have. Real worlds stay under 20 (OUs nest at most 5 levels in AWS Organizations;
 * a policy Condition is 4 levels); the limit exists so a hostile file is refused with a message instead of
 * exhausting the stack of the recursive validators below.
 */
export const MAX_WORLD_DEPTH = 64;

/** Iterative, so it cannot overflow the stack itself; also stops on cyclic objects handed to loadWorld. */
function checkDepth(root: unknown, source: string): void {
  const stack: { node: unknown; pointer: string; depth: number }[] = [{ node: root, pointer: '', depth: 0 }];
  while (stack.length > 0) {
    const { node, pointer, depth } = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (depth >= MAX_WORLD_DEPTH) {
      throw new WorldValidationError(source, pointer, node, `the world nests deeper than ${MAX_WORLD_DEPTH} levels (objects and arrays); flatten it`);
    }
    for (const [key, child] of Object.entries(node)) {
      stack.push({ node: child, pointer: `${pointer}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`, depth: depth + 1 });
    }
  }
}

export const WORLD_SCHEMA_PATH = path.resolve(__dirname, '..', '..', 'schema', 'world.schema.json');

let validator: ReturnType<Ajv['compile']> | undefined;
function schemaValidator() {
  if (!validator) {
    const schema = JSON.parse(fs.readFileSync(WORLD_SCHEMA_PATH, 'utf8')) as object;
    // Loaded here, not at import: the package index must stay light for synths served from the cache.
    const AjvClass = (require('ajv') as { default: typeof Ajv }).default;
    const ajv = new AjvClass({ allErrors: true, strict: false });
    // Dates that exist (no 2025-02-31) and relative ages a clock can hold (no 99999999999999999999d ago).
    ajv.addFormat('world-time', { type: 'string', validate: isValidWorldTime });
    validator = ajv.compile(schema);
  }
  return validator;
}

let documentValidator: ReturnType<Ajv['compile']> | undefined;

/**
 * Why a policy document sent to a write operation (CreateRole, CreatePolicy, PutRolePolicy) is not one the emulator
 * can judge, by the world schema's own rules for documents; undefined when it is.
 */
export function policyDocumentProblem(document: unknown): string | undefined {
  if (!documentValidator) {
    const schema = JSON.parse(fs.readFileSync(WORLD_SCHEMA_PATH, 'utf8')) as { definitions: object };
    const AjvClass = (require('ajv') as { default: typeof Ajv }).default;
    documentValidator = new AjvClass({ allErrors: true, strict: false }).compile({ definitions: schema.definitions, $ref: '#/definitions/policyDocument' });
  }
  if (documentValidator(document)) return undefined;
  const error = mostSpecific(documentValidator.errors ?? []);
  return `${pointerOf(error) || '/'}: ${allowedOf(error)}`;
}

function valueAt(root: unknown, pointer: string): unknown {
  let node = root;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/** The most specific schema error: the deepest pointer, preferring concrete keywords over oneOf/anyOf summaries. */
function mostSpecific(errors: readonly ErrorObject[]): ErrorObject {
  const score = (e: ErrorObject) =>
    pointerOf(e).split('/').length * 10 +
    (['oneOf', 'anyOf', 'allOf', 'if'].includes(e.keyword) ? 0 : 5) +
    (e.keyword === 'type' ? -1 : 0) +
    // A time that fails both says more through the format's rule than through the bare pattern.
    (e.keyword === 'format' ? 1 : 0);
  return [...errors].sort((a, b) => score(b) - score(a))[0]!;
}

function pointerOf(e: ErrorObject): string {
  if (e.keyword === 'additionalProperties') {
    return `${e.instancePath}/${String((e.params as { additionalProperty: string }).additionalProperty)}`;
  }
  if (e.keyword === 'required') return `${e.instancePath}/${String((e.params as { missingProperty: string }).missingProperty)}`;
  return e.instancePath;
}

function allowedOf(e: ErrorObject): string {
  switch (e.keyword) {
    case 'additionalProperties':
      return 'unknown property (see schema/world.schema.json)';
    case 'required':
      return 'this property is required';
    case 'pattern':
      return `must match ${(e.params as { pattern: string }).pattern}`;
    case 'enum':
      return `must be one of ${JSON.stringify((e.params as { allowedValues: unknown[] }).allowedValues)}`;
    case 'format':
      return (e.params as { format: string }).format === 'world-time' ? WORLD_TIME_RULE : (e.message ?? 'does not match the world schema');
    case 'maximum':
    case 'minimum':
    case 'exclusiveMinimum':
      return `must be ${e.message?.replace(/^must be /, '') ?? 'in range'}`;
    default:
      return e.message ?? 'does not match the world schema';
  }
}

/** Validates a world (parsed or a path to a JSON file) against the schema and its own cross-references. */
export function loadWorld(pathOrObject: string | unknown): World {
  let source = 'world';
  let world: unknown = pathOrObject;
  if (typeof pathOrObject === 'string') {
    source = pathOrObject;
    let text: string;
    try {
      text = fs.readFileSync(pathOrObject, 'utf8');
    } catch (error) {
      throw new WorldValidationError(source, '', pathOrObject, `the world file cannot be read (${(error as Error).message})`);
    }
    try {
      world = JSON.parse(text);
    } catch (error) {
      throw new WorldValidationError(source, '', undefined, `the file must be JSON (${(error as Error).message})`);
    }
  }
  checkDepth(world, source);
  const validate = schemaValidator();
  if (!validate(world)) {
    const error = mostSpecific(validate.errors ?? []);
    const pointer = pointerOf(error);
    throw new WorldValidationError(source, pointer, valueAt(world, pointer), allowedOf(error));
  }
  checkReferences(world as World, source);
  checkSettings(world as World, source);
  return world as World;
}

/** Ranges the schema cannot relate: `{min, max}` must be ordered; bounds repeat the schema's for object callers. */
function checkSettings(world: World, source: string): void {
  const range = (pointer: string, value: number | { min: number; max: number } | undefined, max: number) => {
    if (value === undefined) return;
    const [lo, hi] = typeof value === 'number' ? [value, value] : [value.min, value.max];
    if (lo > hi) throw new WorldValidationError(source, pointer, value, '"min" must not be greater than "max"');
    if (hi > max) throw new WorldValidationError(source, pointer, value, `must be at most ${max} ms`);
  };
  range('/settings/jobs/durationMs', world.settings?.jobs?.durationMs, MAX_DURATION_MS);
  range('/settings/faults/latencyMs', world.settings?.faults?.latencyMs, MAX_LATENCY_MS);
}

export function principalArn(kind: 'user' | 'group' | 'role', account: string, name: string, iamPath = '/'): string {
  return `arn:aws:iam::${account}:${kind}${iamPath}${name}`;
}

/** Cross-references the schema cannot express: every id, name and ARN a world uses must be declared once. */
function checkReferences(world: World, source: string): void {
  const fail = (pointer: string, value: unknown, allowed: string): never => {
    throw new WorldValidationError(source, pointer, value, allowed);
  };
  const accounts = new Set<string>();
  world.accounts.forEach((a, i) => {
    if (accounts.has(a.id)) fail(`/accounts/${i}/id`, a.id, 'account ids must be unique');
    accounts.add(a.id);
  });

  const principals = new Set<string>();
  const usersByAccount = new Map<string, Set<string>>();
  const declare = (kind: 'user' | 'group' | 'role', list: readonly { account: string; name: string; path?: string }[] | undefined) => {
    const plural = `${kind}s`;
    (list ?? []).forEach((p, i) => {
      if (!accounts.has(p.account)) fail(`/${plural}/${i}/account`, p.account, 'must be one of the ids under /accounts');
      const key = `${kind}:${p.account}:${p.name.toLowerCase()}`;
      if (principals.has(key)) fail(`/${plural}/${i}/name`, p.name, `${kind} names must be unique within an account (case-insensitive)`);
      principals.add(key);
      principals.add(principalArn(kind, p.account, p.name, p.path));
      if (kind === 'user') {
        const set = usersByAccount.get(p.account) ?? new Set<string>();
        set.add(p.name);
        usersByAccount.set(p.account, set);
      }
    });
  };
  declare('user', world.users);
  declare('group', world.groups);
  declare('role', world.roles);

  const policies = new Set<string>();
  (world.policies ?? []).forEach((p, i) => {
    if (policies.has(p.arn)) fail(`/policies/${i}/arn`, p.arn, 'policy ARNs must be unique');
    const account = p.arn.split(':')[4]!;
    if (account !== 'aws' && !accounts.has(account)) fail(`/policies/${i}/arn`, p.arn, 'the account must be declared under /accounts (or be "aws")');
    policies.add(p.arn);
  });

  for (const kind of ['users', 'groups', 'roles'] as const) {
    (world[kind] ?? []).forEach((p, i) => {
      (p.attachedPolicies ?? []).forEach((arn, j) => {
        if (!policies.has(arn)) fail(`/${kind}/${i}/attachedPolicies/${j}`, arn, 'must be the ARN of a policy declared under /policies');
        const account = arn.split(':')[4];
        if (account !== 'aws' && account !== p.account) fail(`/${kind}/${i}/attachedPolicies/${j}`, arn, 'a customer managed policy can only be attached in its own account');
      });
    });
  }
  (world.groups ?? []).forEach((g, i) => {
    (g.members ?? []).forEach((member, j) => {
      if (!usersByAccount.get(g.account)?.has(member)) fail(`/groups/${i}/members/${j}`, member, `must be the name of a user of account ${g.account}`);
    });
  });

  const keys = new Set<string>();
  world.accessKeys.forEach((k, i) => {
    if (keys.has(k.id)) fail(`/accessKeys/${i}/id`, k.id, 'access key ids must be unique');
    keys.add(k.id);
    if (!principals.has(k.owner)) fail(`/accessKeys/${i}/owner`, k.owner, 'must be the ARN of a user or role declared in the world');
  });
  (world.events ?? []).forEach((e, i) => {
    if (!principals.has(e.principal)) fail(`/events/${i}/principal`, e.principal, 'must be the ARN of a user or role declared in the world');
  });

  if (world.organization) checkOrganization(world, accounts, fail);
}

function checkOrganization(world: World, accounts: Set<string>, fail: (pointer: string, value: unknown, allowed: string) => never): void {
  const org = world.organization!;
  const nodes = new Set<string>([org.root.id]);
  const placed = new Set<string>();
  const placeAccounts = (list: readonly string[] | undefined, pointer: string) => {
    (list ?? []).forEach((id, i) => {
      if (!accounts.has(id)) fail(`${pointer}/${i}`, id, 'must be one of the ids under /accounts');
      if (placed.has(id)) fail(`${pointer}/${i}`, id, 'an account belongs to exactly one parent');
      placed.add(id);
      nodes.add(id);
    });
  };
  placeAccounts(org.root.accounts, '/organization/root/accounts');
  const walk = (ous: typeof org.root.organizationalUnits, pointer: string) => {
    (ous ?? []).forEach((ou, i) => {
      if (nodes.has(ou.id)) fail(`${pointer}/${i}/id`, ou.id, 'organizational unit ids must be unique');
      nodes.add(ou.id);
      placeAccounts(ou.accounts, `${pointer}/${i}/accounts`);
      walk(ou.organizationalUnits, `${pointer}/${i}/organizationalUnits`);
    });
  };
  walk(org.root.organizationalUnits, '/organization/root/organizationalUnits');
  if (!placed.has(org.managementAccountId)) {
    fail('/organization/managementAccountId', org.managementAccountId, 'the management account must be placed in the organization tree');
  }
  const policyIds = new Set<string>();
  (org.policies ?? []).forEach((p, i) => {
    if (policyIds.has(p.id)) fail(`/organization/policies/${i}/id`, p.id, 'SCP ids must be unique');
    policyIds.add(p.id);
    p.targets.forEach((t, j) => {
      if (!nodes.has(t)) fail(`/organization/policies/${i}/targets/${j}`, t, 'must be the id of the root, an OU or an account of the organization');
    });
  });
}

import { AnalysisInputError } from './errors';
import type { PolicyDocument, PolicyStatement } from './types';

/** A validated statement with every list field as an array; `raw` keeps the statement exactly as written. */
export interface NormalizedStatement {
  readonly index: number;
  readonly effect: 'Allow' | 'Deny';
  readonly action?: readonly string[];
  readonly notAction?: readonly string[];
  readonly resource?: readonly string[];
  readonly notResource?: readonly string[];
  readonly hasCondition: boolean;
  readonly raw: PolicyStatement;
}

export interface NormalizedPolicy {
  readonly document: PolicyDocument;
  readonly statements: readonly NormalizedStatement[];
}

const VERSIONS = ['2012-10-17', '2008-10-17'];
const STATEMENT_KEYS = ['Sid', 'Effect', 'Principal', 'NotPrincipal', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition'];

/**
 * Parses and validates an identity policy document given as JSON text or an object. Errors name the source,
 * the field (`Statement[2].Effect`) and the value.
 */
export function parsePolicyDocument(input: PolicyDocument | string | unknown, source = 'policy'): NormalizedPolicy {
  let value: unknown = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch (e) {
      throw new AnalysisInputError(source, '(document)', input, `policy JSON text (${(e as Error).message})`);
    }
    refuseDuplicateKeys(input, source);
  }
  if (!isPlainObject(value)) throw new AnalysisInputError(source, '(document)', value, 'a policy document object');
  for (const key of Object.keys(value)) {
    if (!['Version', 'Id', 'Statement'].includes(key)) {
      throw new AnalysisInputError(source, key, value[key], 'only Version, Id and Statement at the top level');
    }
  }
  if (value.Version !== undefined && !VERSIONS.includes(value.Version as string)) {
    throw new AnalysisInputError(source, 'Version', value.Version, `one of ${VERSIONS.join(', ')}`);
  }
  if (value.Id !== undefined && typeof value.Id !== 'string') throw new AnalysisInputError(source, 'Id', value.Id, 'a string');
  const rawStatements = value.Statement;
  if (rawStatements === undefined) throw new AnalysisInputError(source, 'Statement', undefined, 'a statement object or a list of them');
  const list: unknown[] = Array.isArray(rawStatements) ? rawStatements : [rawStatements];
  const statements = list.map((s, i) => parseStatement(s, Array.isArray(rawStatements) ? `Statement[${i}]` : 'Statement', i, source));
  return { document: value as unknown as PolicyDocument, statements };
}

function parseStatement(value: unknown, field: string, index: number, source: string): NormalizedStatement {
  if (!isPlainObject(value)) throw new AnalysisInputError(source, field, value, 'a statement object');
  for (const key of Object.keys(value)) {
    if (!STATEMENT_KEYS.includes(key)) throw new AnalysisInputError(source, `${field}.${key}`, value[key], `one of the statement keys ${STATEMENT_KEYS.join(', ')}`);
  }
  if (value.Effect !== 'Allow' && value.Effect !== 'Deny') {
    throw new AnalysisInputError(source, `${field}.Effect`, value.Effect, '"Allow" or "Deny"');
  }
  if (value.Sid !== undefined && typeof value.Sid !== 'string') throw new AnalysisInputError(source, `${field}.Sid`, value.Sid, 'a string');
  const action = actionList(value, 'Action', field, source);
  const notAction = actionList(value, 'NotAction', field, source);
  if ((action === undefined) === (notAction === undefined)) {
    throw new AnalysisInputError(source, `${field}.Action`, value.Action, 'exactly one of Action or NotAction');
  }
  const resource = stringList(value, 'Resource', field, source);
  const notResource = stringList(value, 'NotResource', field, source);
  if ((resource === undefined) === (notResource === undefined)) {
    throw new AnalysisInputError(source, `${field}.Resource`, value.Resource, 'exactly one of Resource or NotResource in an identity policy');
  }
  const condition = value.Condition;
  if (condition !== undefined) {
    if (!isPlainObject(condition)) throw new AnalysisInputError(source, `${field}.Condition`, condition, 'an object {Operator: {key: value(s)}}');
    for (const [op, block] of Object.entries(condition)) {
      if (!isPlainObject(block)) throw new AnalysisInputError(source, `${field}.Condition.${op}`, block, 'an object {key: value(s)}');
    }
  }
  return {
    index,
    effect: value.Effect,
    ...(action ? { action } : {}),
    ...(notAction ? { notAction } : {}),
    ...(resource ? { resource } : {}),
    ...(notResource ? { notResource } : {}),
    hasCondition: condition !== undefined && Object.keys(condition as object).length > 0,
    raw: value as unknown as PolicyStatement,
  };
}

/** What IAM accepts in Action/NotAction: `*`, or SERVICE:ACTION where the action part may use the wildcards * and ?. */
export const ACTION_PATTERN = /^(\*|[A-Za-z0-9-]+:[A-Za-z0-9*?]+)$/;

/** Action lists: a malformed entry (`::`, `s3:`, `s3:Get Object`) is refused, never silently dropped or kept. */
function actionList(statement: Record<string, unknown>, key: 'Action' | 'NotAction', field: string, source: string): string[] | undefined {
  const list = stringList(statement, key, field, source);
  list?.forEach((action, i) => {
    if (!ACTION_PATTERN.test(action)) {
      const at = Array.isArray(statement[key]) ? `${field}.${key}[${i}]` : `${field}.${key}`;
      throw new AnalysisInputError(source, at, action, '"*" or SERVICE:ACTION (wildcards * and ? allowed in the action), e.g. "s3:GetObject"');
    }
  });
  return list;
}

function stringList(statement: Record<string, unknown>, key: string, field: string, source: string): string[] | undefined {
  const v = statement[key];
  if (v === undefined) return undefined;
  const list = Array.isArray(v) ? v : [v];
  if (list.length === 0) throw new AnalysisInputError(source, `${field}.${key}`, v, 'a non-empty string or list of strings');
  list.forEach((item, i) => {
    const at = Array.isArray(v) ? `${field}.${key}[${i}]` : `${field}.${key}`;
    if (typeof item !== 'string' || item.trim() === '') throw new AnalysisInputError(source, at, item, 'a non-empty string');
    // " *" is not "*" to every reader: one that trims would let a padded Deny take away what IAM still grants.
    if (item !== item.trim()) throw new AnalysisInputError(source, at, item, 'a value without leading or trailing whitespace');
  });
  return list as string[];
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Stable key order for a statement (IAM's documented order); values are kept exactly as given. */
export function orderStatement(statement: PolicyStatement): PolicyStatement {
  const out: Record<string, unknown> = {};
  for (const key of STATEMENT_KEYS) {
    const v = (statement as unknown as Record<string, unknown>)[key];
    if (v !== undefined) out[key] = v;
  }
  return out as unknown as PolicyStatement;
}

/**
 * A document in canonical form: the given Version (absent stays absent: the Version decides whether `${...}` is a
 * policy variable or literal text, so it is never changed), Id if any, statements in stable key order.
 */
export function canonicalDocument(statements: readonly PolicyStatement[], id?: string, version?: string): PolicyDocument {
  return {
    ...(version !== undefined ? { Version: version } : {}),
    ...(id !== undefined ? { Id: id } : {}),
    Statement: statements.map(orderStatement),
  };
}

/** Under `2012-10-17` `${...}` is a policy variable; under `2008-10-17` or without a Version it is literal text. */
export function hasPolicyVariables(document: PolicyDocument): boolean {
  return document.Version === '2012-10-17';
}

/**
 * Refuses JSON text in which an object names a key twice (`"Action": "dynamodb:*", "Action": "s3:GetObject"`):
 * `JSON.parse` keeps the last value, another reader (IAM's among them) may keep the first or refuse the document, so
 * the document has no one meaning to judge. The error names the key's path (`Statement[1].Action`).
 */
export function refuseDuplicateKeys(text: string, source: string): void {
  const path = duplicateKeyPath(text);
  if (path) throw new AnalysisInputError(source, path.at, `${path.key} (named twice)`, 'each key once in an object: a JSON reader keeps one of the values, IAM may read the other');
}

/** The first key an object of the (valid) JSON text names twice, with its path; undefined when there is none. */
export function duplicateKeyPath(text: string): { at: string; key: string } | undefined {
  // A JSON reader keeps one of two same-named keys silently, so a tokenizer is needed: jsonc-parser's visitor gives each
  // property decoded (escapes read) with the path of the object holding it.
  // Loaded on first use: a synth that parses no policy text does not pay for it.
  const { visit } = require('jsonc-parser') as typeof import('jsonc-parser');
  const objects: Set<string>[] = [];
  let found: { at: string; key: string } | undefined;
  visit(text, {
    onObjectBegin: () => {
      objects.push(new Set());
    },
    onObjectEnd: () => {
      objects.pop();
    },
    onObjectProperty: (key, _offset, _length, _line, _column, pathSupplier) => {
      const keys = objects[objects.length - 1];
      if (found || !keys) return;
      if (keys.has(key)) found = { at: pathOf([...pathSupplier(), key]), key };
      keys.add(key);
    },
  });
  return found;
}

function pathOf(path: readonly (string | number)[]): string {
  return path.map((part, i) => (typeof part === 'number' ? `[${part}]` : i === 0 ? part : `.${part}`)).join('');
}

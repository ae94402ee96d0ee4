import { parsePolicyDocument } from '../analysis/index'; // lazy member: loads when a policy is parsed
import type { PolicyDocument, PolicyStatement } from '../analysis/types';
import { InvalidRequestError } from '../model/errors';
import type { IConstruct } from 'constructs';
import { isUnresolvedToken, type TerraformElement } from './cdk-core';
import { policyDocumentArgumentValue, terraformLiteral } from './terraform-strings';

/**
 * A policy to tighten or judge: JSON text, a document object, or an element of the stack whose inputs are literal —
 * a `DataAwsIamPolicyDocument` (its statements), an `IamPolicy` / `IamRolePolicy` / `IamUserPolicy` /
 * `IamGroupPolicy` (its `policy` string).
 */
export type PolicySource = string | PolicyDocument | IConstruct;

export const INLINE_POLICY_TYPES = ['aws_iam_policy', 'aws_iam_role_policy', 'aws_iam_user_policy', 'aws_iam_group_policy'];

/** Reads a literal policy document out of JSON text, an object or a stack element. */
export function policyFromSource(source: PolicySource, path: string): PolicyDocument | string {
  if (typeof source === 'string') {
    if (isUnresolvedToken(source)) throw notLiteral(path, 'policy', 'the policy string is a token');
    return source;
  }
  const element = source as TerraformElement & { terraformResourceType?: string };
  if (typeof element === 'object' && element !== null && typeof (element as { toTerraform?: unknown }).toTerraform === 'function') {
    const type = element.terraformResourceType;
    const rendered = element.toTerraform() as Record<string, Record<string, Record<string, Record<string, unknown>>>>;
    const config = firstBlock(rendered.data?.[type ?? '']) ?? firstBlock(rendered.resource?.[type ?? '']);
    if (type === 'aws_iam_policy_document' && config) return documentFromDataSource(config, element.node.path);
    if (type && INLINE_POLICY_TYPES.includes(type) && config) {
      const policy = config.policy;
      if (typeof policy !== 'string' || containsToken(policy)) throw notLiteral(path, `${element.node.path}.policy`, 'its policy is not a literal JSON string');
      // The configuration string, as Terraform will pass it to IAM (`$${aws:username}` is `${aws:username}`).
      const text = terraformLiteral(policy);
      if (text === undefined) throw notLiteral(path, `${element.node.path}.policy`, 'its policy string interpolates a Terraform expression (`${…}`)');
      return text;
    }
    throw new InvalidRequestError(
      'policy',
      element.node.path,
      `JSON text, a policy document object, or a DataAwsIamPolicyDocument / IamPolicy / IamRolePolicy / IamUserPolicy / IamGroupPolicy (construct ${path})`,
    );
  }
  return source as PolicyDocument;
}

function firstBlock(blocks: Record<string, Record<string, unknown>> | undefined): Record<string, unknown> | undefined {
  return blocks ? Object.values(blocks)[0] : undefined;
}

/** Arguments of `aws_iam_policy_document` read exactly; any other (e.g. a `dynamic` block) is refused, never dropped. */
const DATA_DOCUMENT_KEYS = new Set(['statement', 'version', 'policy_id', 'id', 'provider', 'depends_on', 'lifecycle', 'count', 'for_each', '//']);
const STATEMENT_KEYS = new Set(['sid', 'effect', 'actions', 'not_actions', 'resources', 'not_resources', 'principals', 'not_principals', 'condition']);
/** Documents merged by Terraform (with Sid override rules) that this package does not reproduce: refused, with the fix. */
const MERGED_DOCUMENT_KEYS = ['source_json', 'override_json', 'source_policy_documents', 'override_policy_documents'];

/** The JSON an `aws_iam_policy_document` renders, from its literal (snake_case) configuration. */
function documentFromDataSource(config: Record<string, unknown>, elementPath: string): PolicyDocument {
  for (const field of MERGED_DOCUMENT_KEYS) {
    const v = config[field];
    if (v !== undefined && v !== null && v !== '' && !(Array.isArray(v) && v.length === 0)) {
      throw new InvalidRequestError(
        `${elementPath}.${field}`,
        typeof v === 'string' ? v : JSON.stringify(v),
        'no merged documents: Terraform merges them into the policy (statements overridden by Sid), which is not read here, so its statements would be lost; ' +
          'write those statements as statement blocks of this data source, or pass the merged policy as JSON text',
      );
    }
  }
  for (const key of Object.keys(config)) {
    if (!DATA_DOCUMENT_KEYS.has(key) && !MERGED_DOCUMENT_KEYS.includes(key) && config[key] !== undefined && config[key] !== null) {
      throw new InvalidRequestError(`${elementPath}.${key}`, JSON.stringify(config[key]), `only the arguments ${[...DATA_DOCUMENT_KEYS].filter((k) => k !== '//').join(', ')} (given literally)`);
    }
  }
  if (containsToken(config.statement)) throw notLiteral(elementPath, `${elementPath}.statement`, 'a statement contains a token');
  const statements = (Array.isArray(config.statement) ? config.statement : config.statement === undefined ? [] : [config.statement]) as Record<string, unknown>[];
  const converted = statements.map((s, i): PolicyStatement => {
    const field = `${elementPath}.statement[${i}]`;
    for (const key of Object.keys(s)) {
      if (!STATEMENT_KEYS.has(key) && s[key] !== undefined && s[key] !== null) throw new InvalidRequestError(`${field}.${key}`, JSON.stringify(s[key]), `only the statement arguments ${[...STATEMENT_KEYS].join(', ')}`);
    }
    if (nonEmpty(s.principals) || nonEmpty(s.not_principals)) {
      throw new InvalidRequestError(`${field}.principals`, s.principals ?? s.not_principals, 'none: an identity policy has no principals');
    }
    // Each argument as the rendered JSON holds it: Terraform's escapes undone, `&{…}` turned into `${…}`.
    const value = (text: unknown, at: string): string => {
      const v = typeof text === 'string' ? policyDocumentArgumentValue(text) : undefined;
      if (v === undefined) throw notLiteral(elementPath, at, 'an argument interpolates a Terraform expression or is not a string');
      return v;
    };
    const list = (key: string): string[] | undefined =>
      nonEmpty(s[key]) ? (Array.isArray(s[key]) ? (s[key] as unknown[]) : [s[key]]).map((v, j) => value(v, `${field}.${key}[${j}]`)) : undefined;
    const conditions = (Array.isArray(s.condition) ? s.condition : s.condition === undefined ? [] : [s.condition]) as { test: unknown; variable: unknown; values: unknown }[];
    const condition: Record<string, Record<string, unknown>> = {};
    conditions.forEach((c, j) => {
      const at = `${field}.condition[${j}]`;
      const values = (Array.isArray(c.values) ? c.values : [c.values]).map((v, k) => value(v, `${at}.values[${k}]`));
      const test = value(c.test, `${at}.test`);
      const variable = value(c.variable, `${at}.variable`);
      const block = (condition[test] ??= {});
      // Terraform merges repeated test/variable pairs into one key; the values of both then apply.
      const previous = block[variable];
      const merged = previous === undefined ? values : [...(Array.isArray(previous) ? previous : [previous]), ...values];
      block[variable] = merged.length === 1 ? merged[0] : merged;
    });
    const effect = s.effect === undefined || s.effect === null || s.effect === '' ? 'Allow' : s.effect;
    const sid = typeof s.sid === 'string' && s.sid !== '' ? value(s.sid, `${field}.sid`) : undefined;
    const actions = list('actions');
    const notActions = list('not_actions');
    const resources = list('resources');
    const notResources = list('not_resources');
    return {
      ...(sid !== undefined ? { Sid: sid } : {}),
      Effect: effect as 'Allow' | 'Deny',
      ...(actions ? { Action: actions } : {}),
      ...(notActions ? { NotAction: notActions } : {}),
      ...(resources ? { Resource: resources } : {}),
      ...(notResources ? { NotResource: notResources } : {}),
      ...(conditions.length ? { Condition: condition } : {}),
    };
  });
  const doc: PolicyDocument = {
    Version: typeof config.version === 'string' && config.version !== '' ? config.version : '2012-10-17',
    ...(typeof config.policy_id === 'string' && config.policy_id !== '' ? { Id: config.policy_id } : {}),
    Statement: converted,
  };
  parsePolicyDocument(doc, elementPath);
  return doc;
}

function nonEmpty(v: unknown): boolean {
  return Array.isArray(v) ? v.length > 0 : v !== undefined && v !== null;
}

function containsToken(value: unknown): boolean {
  if (typeof value === 'string') return isUnresolvedToken(value);
  if (Array.isArray(value)) return value.some(containsToken);
  if (typeof value === 'object' && value !== null) return isUnresolvedToken(value) || Object.values(value).some(containsToken);
  return false;
}

function notLiteral(path: string, field: string, why: string): InvalidRequestError {
  return new InvalidRequestError(field, '<token>', `a policy known at synth time (${why}); pass the policy as JSON text or an object (construct ${path})`);
}

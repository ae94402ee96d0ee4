import { parsePolicyDocument } from '../analysis/index'; // lazy member: loads when a policy is parsed
import type { PolicyDocument, PolicyStatement } from '../analysis/types';
import { InvalidRequestError } from '../model/errors';
import type { IConstruct } from 'constructs';
import { isUnresolvedToken, type TerraformElement } from './cdk-core';

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
      return policy;
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

/** The JSON an `aws_iam_policy_document` renders, from its literal (snake_case) configuration. */
function documentFromDataSource(config: Record<string, unknown>, elementPath: string): PolicyDocument {
  for (const field of ['source_policy_documents', 'override_policy_documents']) {
    const v = config[field];
    if (v !== undefined && !(Array.isArray(v) && v.length === 0)) {
      throw new InvalidRequestError(`${elementPath}.${field}`, v, 'no source/override documents: only statements given literally can be tightened');
    }
  }
  if (containsToken(config.statement)) throw notLiteral(elementPath, `${elementPath}.statement`, 'a statement contains a token');
  const statements = (Array.isArray(config.statement) ? config.statement : []) as Record<string, unknown>[];
  const converted = statements.map((s, i): PolicyStatement => {
    const field = `${elementPath}.statement[${i}]`;
    if (nonEmpty(s.principals) || nonEmpty(s.not_principals)) {
      throw new InvalidRequestError(`${field}.principals`, s.principals ?? s.not_principals, 'none: an identity policy has no principals');
    }
    const conditions = (Array.isArray(s.condition) ? s.condition : []) as { test: string; variable: string; values: string[] }[];
    const condition: Record<string, Record<string, unknown>> = {};
    for (const c of conditions) {
      condition[c.test] ??= {};
      condition[c.test]![c.variable] = c.values.length === 1 ? c.values[0] : c.values;
    }
    return {
      ...(typeof s.sid === 'string' && s.sid !== '' ? { Sid: s.sid } : {}),
      Effect: (s.effect as 'Allow' | 'Deny' | undefined) ?? 'Allow',
      ...(nonEmpty(s.actions) ? { Action: s.actions as string[] } : {}),
      ...(nonEmpty(s.not_actions) ? { NotAction: s.not_actions as string[] } : {}),
      ...(nonEmpty(s.resources) ? { Resource: s.resources as string[] } : {}),
      ...(nonEmpty(s.not_resources) ? { NotResource: s.not_resources as string[] } : {}),
      ...(conditions.length ? { Condition: condition } : {}),
    };
  });
  const doc: PolicyDocument = {
    Version: typeof config.version === 'string' ? config.version : '2012-10-17',
    ...(typeof config.policy_id === 'string' ? { Id: config.policy_id } : {}),
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

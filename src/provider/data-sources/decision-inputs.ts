import { AnalysisInputError } from '../../analysis/errors';
import { parsePolicyDocument } from '../../analysis/policy-document';
import type { PermissionException, PolicyDocument, UnusedPermissionsOptions } from '../../analysis/types';
import { boolAt, isKnown, numberAt, snakeCase, stringAt, stringListAt, type Path } from '../config-values';
import { ConfigProblem } from '../diagnostics';
import { Unknown } from '../dynamic-value';
import type { AttributeSpec, TfType } from '../schema';
import { listOf, objectOf } from '../schema';

/**
 * The decision inputs shared by accessadvisor_unused_permissions and accessadvisor_tightened_policy: the same
 * options the CLI's gate and tighten take (--unused-after-days, --allow, --judge-unknown-history, --policy).
 */
export const EXCEPTION_TYPE: TfType = objectOf({ permission: 'string', reason: 'string' });

export const DECISION_INPUTS: readonly AttributeSpec[] = [
  { name: 'unused_after_days', type: 'number', optional: true, description: 'A service or tracked action not used within this many days is unused (default 90).' },
  { name: 'max_report_age_days', type: 'number', optional: true, description: 'A report completed longer ago than this is stale evidence (default 5).' },
  {
    name: 'judge_unknown_history',
    type: 'bool',
    optional: true,
    description: 'Judge a principal whose creation date cannot be read as old enough (default false: nothing is flagged).',
  },
  {
    name: 'exceptions',
    type: listOf(EXCEPTION_TYPE),
    optional: true,
    description: 'Permissions never flagged: a service (ec2), an action (s3:GetObject) or a pattern (s3:Get*), each with its reason.',
  },
];

export interface DecisionInputs {
  readonly options: UnusedPermissionsOptions;
}

/** The decision options from a configuration; 'unknown' while any of them is not known. */
export function readDecisionInputs(config: Record<string, unknown>): DecisionInputs | 'unknown' {
  const unusedAfterDays = numberAt(config, ['unused_after_days']);
  const maxReportAgeDays = numberAt(config, ['max_report_age_days']);
  const judgeUnknownHistory = boolAt(config, ['judge_unknown_history']);
  const allow = readExceptions(config['exceptions']);
  if (![unusedAfterDays, maxReportAgeDays, judgeUnknownHistory, allow].every(isKnown)) return 'unknown';
  return {
    options: {
      ...(unusedAfterDays !== undefined ? { unusedAfterDays: unusedAfterDays as number } : {}),
      ...(maxReportAgeDays !== undefined ? { maxReportAgeDays: maxReportAgeDays as number } : {}),
      ...(judgeUnknownHistory ? { judgeUnknownHistory: true } : {}),
      ...(allow ? { allow: allow as PermissionException[] } : {}),
    },
  };
}

function readExceptions(value: unknown): PermissionException[] | undefined | Unknown {
  if (value === null || value === undefined) return undefined;
  if (value instanceof Unknown) return value;
  if (!Array.isArray(value)) throw new ConfigProblem(['exceptions'], 'Invalid exceptions', 'expected a list of {permission, reason}');
  const out: PermissionException[] = [];
  for (const [index, element] of value.entries()) {
    if (element instanceof Unknown) return element;
    const object = (element ?? {}) as Record<string, unknown>;
    const permission = stringAt(object, ['exceptions', index, 'permission']);
    const reason = stringAt(object, ['exceptions', index, 'reason']);
    if (!isKnown(permission)) return permission;
    if (!isKnown(reason)) return reason;
    out.push({ permission: permission ?? '', reason: reason ?? '' });
  }
  return out;
}

/** Policy documents given as JSON strings (`jsonencode(…)`, `data.aws_iam_policy_document.x.json`), parsed. */
export function readPolicyDocuments(config: Record<string, unknown>, name: string): PolicyDocument[] | undefined | 'unknown' {
  const texts = stringListAt(config, [name]);
  if (!isKnown(texts)) return 'unknown';
  return texts?.map((text, index) => parsePolicyAt(text, [name, index]));
}

export function parsePolicyAt(text: string, path: Path): PolicyDocument {
  try {
    return parsePolicyDocument(text, path.join('.')).document;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new ConfigProblem(path, 'Invalid policy document', message);
  }
}

/** The analysis names its fields as the library does (`allow[0].reason`, `unusedAfterDays`): Terraform's names. */
export function analysisProblem(error: unknown): unknown {
  if (!(error instanceof AnalysisInputError)) return error;
  const path: (string | number)[] = [];
  for (const part of error.field.split(/[.[\]]+/).filter((p) => p !== '')) {
    if (/^\d+$/.test(part)) path.push(Number(part));
    else path.push(part === 'allow' ? 'exceptions' : snakeCase(part));
  }
  return new ConfigProblem(path, 'Invalid decision input', error.message);
}

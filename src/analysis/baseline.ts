import { AnalysisInputError } from './errors';
import type { Baseline, DriftResult, UnusedPermissions } from './types';
import { refuseDuplicateKeys } from './policy-document';
import { compare } from './unused';

export const BASELINE_SCHEMA_VERSION = 1;

/** The permissions a gate flags: unused services and unused tracked actions, sorted. */
export function unusedPermissionList(unused: UnusedPermissions): string[] {
  return [...new Set([...unused.unusedServices, ...unused.unusedActions])].sort(compare);
}

/**
 * The ratchet: only unused permissions that the baseline has not accepted fail. A baseline entry for a service
 * also covers that service's actions (a service that becomes partly used must not fail the check). With
 * insufficient or stale evidence nothing is unused and nothing is reported resolved (no evidence to shrink on).
 */
export function checkDrift(principalArn: string, unused: UnusedPermissions, baseline: Baseline | undefined): DriftResult {
  const accepted = baseline?.principals[principalArn]?.unused ?? [];
  const acceptedSet = new Set(accepted.map((p) => p.toLowerCase()));
  const covered = (permission: string) => {
    const lower = permission.toLowerCase();
    const colon = lower.indexOf(':');
    return acceptedSet.has(lower) || (colon > 0 && acceptedSet.has(lower.slice(0, colon)));
  };
  const current = unused.status === 'sufficient' ? unusedPermissionList(unused) : [];
  const newUnused = current.filter((p) => !covered(p));
  const acceptedUnused = current.filter(covered);
  const currentLower = new Set(current.map((p) => p.toLowerCase()));
  const resolved =
    unused.status === 'sufficient'
      ? accepted
          .filter((a) => {
            const lower = a.toLowerCase();
            return !currentLower.has(lower) && !current.some((c) => c.toLowerCase().startsWith(`${lower}:`));
          })
          .sort(compare)
      : [];
  return { principalArn, newUnused, acceptedUnused, resolved, passed: newUnused.length === 0 };
}

/**
 * Accepts the current unused permissions of one principal into the baseline (a new object; principals sorted).
 * With insufficient or stale evidence the principal's entry is left as it was.
 */
export function acceptIntoBaseline(baseline: Baseline | undefined, principalArn: string, unused: UnusedPermissions, now: Date = new Date()): Baseline {
  const principals: Record<string, { unused: readonly string[]; acceptedAt: string }> = { ...(baseline?.principals ?? {}) };
  if (unused.status === 'sufficient') principals[principalArn] = { unused: unusedPermissionList(unused), acceptedAt: now.toISOString() };
  const sorted: Record<string, { unused: readonly string[]; acceptedAt: string }> = {};
  for (const key of Object.keys(principals).sort(compare)) sorted[key] = principals[key]!;
  return { schemaVersion: BASELINE_SCHEMA_VERSION, principals: sorted };
}

/** The committed file's text: stable, two-space indented, trailing newline. */
export function formatBaseline(baseline: Baseline): string {
  return `${JSON.stringify(baseline, null, 2)}\n`;
}

/** Parses a baseline file; errors name the file, the field and the value. */
export function parseBaseline(text: string, sourceName: string): Baseline {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new AnalysisInputError(sourceName, '(file)', text.slice(0, 40), `baseline JSON (${(e as Error).message})`);
  }
  // A principal (or field) named twice is read as its last entry, while a reviewer of the diff may read the first:
  // a hand edit could accept unused permissions under a key that looks unchanged. Such a file has no one meaning.
  refuseDuplicateKeys(text, sourceName);
  if (!isObject(value)) throw new AnalysisInputError(sourceName, '(file)', value, 'a JSON object {schemaVersion, principals}');
  if (value.schemaVersion !== BASELINE_SCHEMA_VERSION) {
    throw new AnalysisInputError(sourceName, 'schemaVersion', value.schemaVersion, `${BASELINE_SCHEMA_VERSION}`);
  }
  for (const key of Object.keys(value)) {
    if (key !== 'schemaVersion' && key !== 'principals') throw new AnalysisInputError(sourceName, key, value[key], 'only schemaVersion and principals');
  }
  if (!isObject(value.principals)) throw new AnalysisInputError(sourceName, 'principals', value.principals, 'an object keyed by principal ARN');
  const principals: Record<string, { unused: readonly string[]; acceptedAt: string }> = {};
  for (const [arn, entry] of Object.entries(value.principals)) {
    const field = `principals["${arn}"]`;
    if (!/^arn:[^:]+:iam::[^:]*:(user|group|role|policy)\/.+/.test(arn)) throw new AnalysisInputError(sourceName, field, arn, 'a key that is an IAM ARN');
    if (!isObject(entry)) throw new AnalysisInputError(sourceName, field, entry, 'an object {unused, acceptedAt}');
    if (!Array.isArray(entry.unused)) throw new AnalysisInputError(sourceName, `${field}.unused`, entry.unused, 'a list of permissions (s3, s3:PutObject)');
    entry.unused.forEach((p, i) => {
      if (typeof p !== 'string' || !/^[\w-]+(:[\w*?-]+)?$/.test(p)) {
        throw new AnalysisInputError(sourceName, `${field}.unused[${i}]`, p, 'a service (s3) or an action (s3:PutObject)');
      }
    });
    if (typeof entry.acceptedAt !== 'string' || Number.isNaN(Date.parse(entry.acceptedAt))) {
      throw new AnalysisInputError(sourceName, `${field}.acceptedAt`, entry.acceptedAt, 'an ISO-8601 date');
    }
    for (const key of Object.keys(entry)) {
      if (key !== 'unused' && key !== 'acceptedAt') throw new AnalysisInputError(sourceName, `${field}.${key}`, entry[key], 'only unused and acceptedAt');
    }
    principals[arn] = { unused: entry.unused as string[], acceptedAt: entry.acceptedAt };
  }
  return { schemaVersion: BASELINE_SCHEMA_VERSION, principals };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

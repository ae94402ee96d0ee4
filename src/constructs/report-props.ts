import { DEFAULT_UNUSED_AFTER_DAYS } from '../analysis/defaults';
import { InvalidRequestError } from '../model/errors';
import { type CacheConnection, cacheConnectionOf, locateCacheFile } from '../resolve/cache-file';
import { parseDuration } from '../resolve/duration';
import type { IConstruct } from 'constructs';
import { isUnresolvedToken } from './cdk-core';

export type ResolveAt = 'synth' | 'plan';
export type OnLookupError = 'fail' | 'warn';
/**
 * What Terraform runs for a plan-time report: `provider` (default), the data sources of this package's own Terraform
 * provider (`access-advisor provider install`); `external`, a `data "external"` block running the bundled program,
 * for runners where no provider can be installed (docs/plan-time.md states its limits).
 */
export type PlanTimeSource = 'provider' | 'external';

/** Where and as whom the report is read. Never credentials: those come from the environment / profile. */
export interface ReportConnectionProps {
  /** Default: SDK chain, else us-east-1 (IAM is global). */
  readonly region?: string;
  /** A named profile of the shared AWS config. */
  readonly profile?: string;
  /** Assume this role first. */
  readonly roleArn?: string;
  /** A custom IAM endpoint (e.g. the local emulator). */
  readonly endpoint?: string;
  /** The 12-digit account of a `principal`; default: app context `accessAdvisor:accountId`. */
  readonly accountId?: string;
}

export interface ReportResolutionProps extends ReportConnectionProps {
  /** `synth` (default): literal values from the committed cache or a lookup during synth. `plan`: Terraform reads it. */
  readonly resolveAt?: ResolveAt;
  /** With `resolveAt: 'plan'`: `provider` (default, this package's Terraform provider) or `external` (the fallback). */
  readonly planTimeSource?: PlanTimeSource;
  /** A cache entry older than this is refetched. Milliseconds or "30m" / "12h" / "1d". Default "1d". */
  readonly maxAge?: number | string;
  /** A failed lookup fails synth (`fail`, default) or only warns (`warn`; the outputs are then empty). */
  readonly onError?: OnLookupError;
  /** Total time allowed for one report job. Milliseconds or a duration string. Default "10m". */
  readonly timeout?: number | string;
  /** The cache file; default: app context `accessAdvisor:cacheFile`, env ACCESS_ADVISOR_CACHE_FILE, beside cdktf.json. */
  readonly cacheFile?: string;
}

export const DEFAULT_MAX_AGE_MS = 86_400_000;

export interface ResolvedReportOptions {
  readonly resolveAt: ResolveAt;
  readonly planTimeSource: PlanTimeSource;
  readonly maxAgeMs: number;
  readonly timeoutMs?: number;
  readonly onError: OnLookupError;
  readonly connection: CacheConnection;
  readonly cacheFile: string;
}

function oneOf<T extends string>(field: string, value: unknown, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if ((allowed as readonly unknown[]).includes(value)) return value as T;
  throw new InvalidRequestError(field, value, `one of ${allowed.map((a) => `'${a}'`).join(', ')}`);
}

/** Props a synth-time value depends on cannot be tokens: they become part of the cache key. */
export function requireLiteral(field: string, value: string | undefined, hint: string): void {
  if (value !== undefined && isUnresolvedToken(value)) {
    throw new InvalidRequestError(field, value, `a literal string known at synth time (${hint})`);
  }
}

export function resolveReportOptions(scope: IConstruct, props: ReportResolutionProps): ResolvedReportOptions {
  const resolveAt = oneOf<ResolveAt>('resolveAt', props.resolveAt, ['synth', 'plan'], 'synth');
  const onError = oneOf<OnLookupError>('onError', props.onError, ['fail', 'warn'], 'fail');
  const planTimeSource = oneOf<PlanTimeSource>('planTimeSource', props.planTimeSource, ['provider', 'external'], 'provider');
  if (props.planTimeSource !== undefined && resolveAt !== 'plan') {
    throw new InvalidRequestError('planTimeSource', props.planTimeSource, "no value unless resolveAt is 'plan' (a synth-time report is resolved during synth)");
  }
  const maxAgeMs = props.maxAge === undefined ? DEFAULT_MAX_AGE_MS : parseDuration('maxAge', props.maxAge);
  const timeoutMs = props.timeout === undefined ? undefined : parseDuration('timeout', props.timeout);
  if (timeoutMs !== undefined && timeoutMs <= 0) throw new InvalidRequestError('timeout', props.timeout, 'a duration > 0');
  for (const field of ['region', 'profile', 'roleArn', 'endpoint', 'cacheFile'] as const) {
    requireLiteral(field, props[field], 'connection settings are part of the cache key');
  }
  const contextFile = scope.node.tryGetContext('accessAdvisor:cacheFile');
  const cdktfJsonPath = scope.node.tryGetContext('cdktfJsonPath');
  const cacheFile = locateCacheFile({
    explicit: props.cacheFile ?? (typeof contextFile === 'string' ? contextFile : undefined),
    cdktfJsonPath: typeof cdktfJsonPath === 'string' ? cdktfJsonPath : undefined,
  });
  return { resolveAt, planTimeSource, onError, maxAgeMs, timeoutMs, connection: cacheConnectionOf(props), cacheFile };
}

/** The account for principal ARNs: the prop, else app context `accessAdvisor:accountId`. */
export function accountIdOf(scope: IConstruct, props: ReportConnectionProps): string | undefined {
  if (props.accountId !== undefined) {
    requireLiteral('accountId', props.accountId, 'the account is part of the principal ARN');
    return props.accountId;
  }
  const context = scope.node.tryGetContext('accessAdvisor:accountId');
  return context === undefined ? undefined : String(context);
}

/** A `{ days }` window: a positive finite number, default 90. */
export function windowDays(options: { readonly days?: number } | undefined): number {
  const days = options?.days ?? DEFAULT_UNUSED_AFTER_DAYS;
  if (typeof days !== 'number' || !Number.isFinite(days) || days <= 0) {
    throw new InvalidRequestError('days', days, 'a number of days > 0');
  }
  return days;
}

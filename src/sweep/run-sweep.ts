import { setMaxListeners } from 'node:events';
import { MAX_UNUSED_AFTER_DAYS } from '../analysis/defaults';
import { judgeReport } from '../analysis/gate';
import type { Baseline, PermissionException } from '../analysis/types';
import { listAccountPrincipals } from '../iam/account-principals';
import { globToRegExp, validatePathPrefix, type ListedPrincipal } from '../iam/principal-filter';
import { assumeRoleCredentials, callerAccountId, callerCredentials, type Credentials } from '../iam/account-credentials';
import { toAwsRequestError, createIamSession, type ConnectionOptions } from '../iam/client';
import { DEFAULT_CONCURRENCY, DEFAULT_REQUESTS_PER_SECOND, runReports, type RunReportsOptions } from '../iam/engine';
import { AccessAdvisorError, AwsRequestError, InvalidRequestError } from '../model/errors';
import { mapLimit } from '../iam/map-limit';
import { DEFAULT_GRANULARITY, GRANULARITIES, type Granularity, type ServiceLastAccessedReport } from '../model/report';
import { listOrganizationAccounts, validateAccountIds, validateParentId, type ListedAccount } from '../iam/organization-accounts';
import { RequestGate } from '../iam/request-gate';
import { validatePositive } from '../iam/validate';
import { DEFAULT_RESUME_MAX_AGE_HOURS, SweepStateRefusedError, resumeProblem } from './resume';
import { byCodePoint, servicesOf, shardAccounts, sweepDrift, sweepRequestKey, sweepTotals } from './result';
import {
  SWEEP_PRINCIPAL_KINDS,
  SWEEP_SCHEMA_VERSION,
  SWEEP_STATE_SCHEMA_VERSION,
  type SweepAccount,
  type SweepCheckpoint,
  type SweepError,
  type SweepPrincipal,
  type SweepPrincipalKind,
  type SweepProgressEvent,
  type SweepRequestSummary,
  type SweepResult,
} from './types';

/** The role AWS Organizations creates in every account it creates (and the usual name for invited ones). */
export const DEFAULT_SWEEP_ROLE_NAME = 'OrganizationAccountAccessRole';
/** Accounts swept at once. IAM throttles per account, so accounts in parallel cost no account more. */
export const DEFAULT_ACCOUNT_CONCURRENCY = 10;

export interface SweepOptions extends Omit<RunReportsOptions, 'onProgress' | 'onResult' | 'readPrincipalCreateDate' | 'createDateListingThreshold'> {
  /** Sweep these accounts (12-digit ids). Without it, the organization's ACTIVE accounts (Organizations ListAccounts). */
  accounts?: readonly string[];
  /** Only accounts under this OU (or root), at any depth (ListAccountsForParent). Not with `accounts`. */
  organizationalUnit?: string;
  /** The role assumed in each account (default OrganizationAccountAccessRole). */
  roleName?: string;
  /**
   * Accounts reached with the caller's own credentials instead of the role. Default: the account those credentials
   * belong to (STS GetCallerIdentity), usually the management account, which has no OrganizationAccountAccessRole.
   */
  directAccounts?: readonly string[];
  /** Default all four: role, user, group, policy (customer managed policies). */
  principalKinds?: readonly SweepPrincipalKind[];
  /** Only principals whose IAM path starts with this (e.g. /app/). */
  pathPrefix?: string;
  /** Only principals whose name matches one of these globs (`*`, `?`). */
  names?: readonly string[];
  /** AWS service-linked roles (path /aws-service-role/) are left out unless true. */
  includeServiceLinkedRoles?: boolean;
  /** Default ACTION_LEVEL (tracked actions are judged too). */
  granularity?: Granularity;
  unusedAfterDays?: number;
  allow?: readonly PermissionException[];
  /** The decisions' reference time (default: now). */
  now?: Date;
  /** Sweep only this shard of the accounts (sorted by id, every count-th). */
  shard?: { index: number; count: number };
  /** Accounts swept at once (default 10). `requestsPerSecond` and `concurrency` apply to each account. */
  accountConcurrency?: number;
  /**
   * Finished principals of an interrupted sweep: their reports are judged again, not asked again. Must come from the
   * same request and be younger than `resumeMaxAgeHours`; anything else rejects (SweepStateRefusedError).
   */
  resume?: SweepCheckpoint;
  /** How old (real clock, from its `createdAt`) a checkpoint may be to resume from. Default 24 hours. */
  resumeMaxAgeHours?: number;
  /** Called after each principal finishes, with everything finished so far: persist it to resume later. */
  onCheckpoint?: (checkpoint: SweepCheckpoint) => void;
  onProgress?: (event: SweepProgressEvent) => void;
  /** The ratchet: `drift` compares every principal's unused permissions with this baseline. */
  baseline?: Baseline;
}

/** The request part of the result: everything that decides it, normalized. Throws InvalidRequestError. */
export function sweepRequestOf(options: SweepOptions): SweepRequestSummary {
  if (options.accounts !== undefined && options.organizationalUnit !== undefined) {
    throw new InvalidRequestError('organizationalUnit', options.organizationalUnit, 'no OU with an explicit account list (OUs select from the organization)');
  }
  const kinds = options.principalKinds ?? SWEEP_PRINCIPAL_KINDS;
  if (!Array.isArray(kinds) || kinds.length === 0) throw new InvalidRequestError('principalKinds', kinds, `one or more of ${SWEEP_PRINCIPAL_KINDS.join(', ')}`);
  kinds.forEach((k, i) => {
    if (!SWEEP_PRINCIPAL_KINDS.includes(k)) throw new InvalidRequestError(`principalKinds[${i}]`, k, `one of ${SWEEP_PRINCIPAL_KINDS.join(', ')}`);
  });
  const granularity = options.granularity ?? DEFAULT_GRANULARITY;
  if (!GRANULARITIES.includes(granularity)) throw new InvalidRequestError('granularity', granularity, GRANULARITIES.join(' or '));
  const roleName = options.roleName ?? DEFAULT_SWEEP_ROLE_NAME;
  if (!/^[\w+=,.@-]{1,64}$/.test(roleName)) throw new InvalidRequestError('roleName', roleName, 'an IAM role name (1–64 of letters, digits and +=,.@_-)');
  (options.names ?? []).forEach(globToRegExp);
  // Checked before any call, as the analysis checks it per report (access advisor tracks about 400 days).
  if (options.unusedAfterDays !== undefined) validatePositive('unusedAfterDays', options.unusedAfterDays, false, MAX_UNUSED_AFTER_DAYS);
  return {
    source: options.accounts ? 'accounts' : 'organization',
    ...(options.organizationalUnit !== undefined ? { organizationalUnit: validateParentId(options.organizationalUnit) } : {}),
    ...(options.accounts ? { accounts: validateAccountIds(options.accounts).sort(byCodePoint) } : {}),
    roleName,
    principalKinds: SWEEP_PRINCIPAL_KINDS.filter((k) => kinds.includes(k)),
    ...(options.pathPrefix !== undefined ? { pathPrefix: validatePathPrefix(options.pathPrefix) } : {}),
    ...(options.names?.length ? { names: [...new Set(options.names)].sort(byCodePoint) } : {}),
    includeServiceLinkedRoles: options.includeServiceLinkedRoles === true,
    granularity,
    ...(options.unusedAfterDays !== undefined ? { unusedAfterDays: options.unusedAfterDays } : {}),
    ...(options.allow?.length ? { allow: options.allow } : {}),
  };
}

function sweepError(err: unknown): SweepError {
  if (err instanceof AwsRequestError) return { code: err.awsCode, message: err.message, kind: err.kind };
  if (err instanceof AccessAdvisorError) {
    const code = (err as { awsCode?: unknown }).awsCode;
    return { code: typeof code === 'string' ? code : err.name, message: err.message, kind: err.kind };
  }
  return { code: 'InternalError', message: err instanceof Error ? err.message : String(err), kind: 'internal' };
}

/**
 * Sweeps every principal of every account: accounts from Organizations or a list, a role assumed in each, principals
 * enumerated by GetAccountAuthorizationDetails, a service report and a decision for each. Accounts run in parallel,
 * each under its own rate limit (IAM throttles per account). Never rejects for an account or principal: failures
 * are recorded in the result. Rejects only for invalid options, or when the account list itself cannot be read.
 */
export async function runSweep(options: SweepOptions = {}): Promise<SweepResult> {
  const request = sweepRequestOf(options);
  const accountConcurrency = validatePositive('accountConcurrency', options.accountConcurrency, true, 1_000) ?? DEFAULT_ACCOUNT_CONCURRENCY;
  const requestKey = sweepRequestKey(request, options.shard);
  const resumeMaxAgeHours = validatePositive('resumeMaxAgeHours', options.resumeMaxAgeHours, false, 24 * 400) ?? DEFAULT_RESUME_MAX_AGE_HOURS;
  if (options.resume) {
    const problem = resumeProblem(options.resume, { requestKey, request, ...(options.shard ? { shard: options.shard } : {}), maxAgeHours: resumeMaxAgeHours, nowMs: Date.now() });
    if (problem) throw new SweepStateRefusedError(problem);
  }
  const createdAt = options.resume?.createdAt ?? new Date().toISOString();
  // Every account's clients, jobs and gates listen to the caller's signal: dozens of listeners are expected here.
  if (options.signal) setMaxListeners(0, options.signal as unknown as EventTarget);
  const caller = callerCredentials(options);
  const connection: ConnectionOptions = {
    ...(options.region ? { region: options.region } : {}),
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
  };

  let targets: ListedAccount[];
  const explicitDirect = options.directAccounts !== undefined ? validateAccountIds(options.directAccounts) : undefined;
  if (options.accounts) {
    targets = request.accounts!.map((id) => ({ id }));
  } else {
    const listing = await listOrganizationAccounts(
      { ...connection, ...(options.profile ? { profile: options.profile } : {}), ...(caller ? { credentials: caller } : {}), maxAttempts: options.maxAttempts, timeScale: options.timeScale },
      request.organizationalUnit,
      options.signal as AbortSignal | undefined,
    );
    targets = [...listing.accounts];
  }
  const accountsListed = targets.map((t) => t.id).sort(byCodePoint);
  targets = shardAccounts(targets, options.shard);
  // The caller's own account is reached with its own credentials: there is no role to assume into the account one
  // is in (the management account has no OrganizationAccountAccessRole). Listing the principals checks every ARN
  // against the account swept, so credentials of another account can never be reported as this one.
  const direct = new Set(
    explicitDirect ?? [await callerAccountId({ ...connection, ...(options.profile ? { profile: options.profile } : {}), maxAttempts: options.maxAttempts, timeScale: options.timeScale }, caller, options.signal as AbortSignal | undefined)],
  );

  const done = new Map<string, Map<string, ServiceLastAccessedReport>>();
  for (const [account, reports] of Object.entries(options.resume?.done ?? {})) done.set(account, new Map(Object.entries(reports)));
  const checkpoint = (): SweepCheckpoint => ({
    kind: 'access-advisor-sweep-state',
    schemaVersion: SWEEP_STATE_SCHEMA_VERSION,
    createdAt,
    requestKey,
    request,
    ...(options.shard ? { shard: { index: options.shard.index, count: options.shard.count } } : {}),
    done: Object.fromEntries([...done].map(([a, m]) => [a, Object.fromEntries(m)])),
  });

  const accounts = await mapLimit(targets, accountConcurrency, (target) =>
    sweepAccount(target, { options, request, caller, connection, direct: direct.has(target.id), done, checkpoint }),
  );
  const result: SweepResult = {
    kind: 'access-advisor-sweep',
    schemaVersion: SWEEP_SCHEMA_VERSION,
    generatedAt: (options.now ?? new Date()).toISOString(),
    request,
    ...(options.shard ? { shard: { index: options.shard.index, count: options.shard.count } } : {}),
    accountsListed,
    accounts,
    totals: sweepTotals(accounts),
    ...(options.baseline !== undefined ? { drift: sweepDrift(accounts, options.baseline) } : {}),
  };
  return result;
}

interface AccountContext {
  readonly options: SweepOptions;
  readonly request: SweepRequestSummary;
  readonly caller: Credentials;
  readonly connection: ConnectionOptions;
  readonly direct: boolean;
  readonly done: Map<string, Map<string, ServiceLastAccessedReport>>;
  readonly checkpoint: () => SweepCheckpoint;
}

async function sweepAccount(target: ListedAccount, ctx: AccountContext): Promise<SweepAccount> {
  const { options, request } = ctx;
  const named = target.name ? { name: target.name } : {};
  const counts = { principals: 0, finished: 0, failed: 0, resumed: 0 };
  const progress = (phase: SweepProgressEvent['phase']) => options.onProgress?.({ accountId: target.id, phase, ...counts });
  const fail = (err: unknown): SweepAccount => {
    progress('failed');
    return { accountId: target.id, ...named, status: 'failed', error: sweepError(err), principals: [] };
  };
  if (options.signal?.aborted) return fail(new AwsRequestError('sweep', 'RequestAborted', 'aborted by the caller'));

  // 1. Credentials for the account: the caller's own, or the role assumed once up front so a refusal (no role, a
  //    trust policy or SCP that denies it) fails this account alone, before any IAM call.
  let credentials: Credentials = ctx.caller;
  if (!ctx.direct) {
    progress('assuming-role');
    const roleArn = `arn:aws:iam::${target.id}:role/${request.roleName}`;
    credentials = assumeRoleCredentials(options, roleArn, ctx.caller);
    try {
      await credentials();
    } catch (err) {
      const e = toAwsRequestError('AssumeRole', err, undefined, []);
      return fail(e instanceof AccessAdvisorError ? e : new AwsRequestError('AssumeRole', 'UnknownError', String(err)));
    }
  }
  const connection: ConnectionOptions = {
    ...ctx.connection,
    ...(credentials ? { credentials } : options.profile ? { profile: options.profile } : {}),
  };

  // 2. The account's principals, filtered.
  progress('listing');
  let listed: ListedPrincipal[];
  const timeScale = options.timeScale ?? 1;
  const gate = new RequestGate({
    requestsPerSecond: options.requestsPerSecond ?? DEFAULT_REQUESTS_PER_SECOND,
    concurrency: options.concurrency ?? DEFAULT_CONCURRENCY,
    timeScale,
  });
  const session = await createIamSession(connection, gate, options.maxAttempts, timeScale);
  try {
    listed = await listAccountPrincipals(
      session,
      target.id,
      {
        kinds: request.principalKinds,
        ...(request.pathPrefix !== undefined ? { pathPrefix: request.pathPrefix } : {}),
        ...(request.names ? { names: request.names } : {}),
        includeServiceLinkedRoles: request.includeServiceLinkedRoles,
      },
      // The public option is structural (see abort-signal.ts); callers pass a real AbortSignal.
      options.signal as AbortSignal | undefined,
    );
  } catch (err) {
    return fail(err);
  } finally {
    session.close();
  }
  listed.sort((a, b) => byCodePoint(a.arn, b.arn));
  counts.principals = listed.length;

  // 3. Reports for what is not finished yet, under this account's own rate limit; each report checkpointed. The
  //    reports a checkpoint holds are judged again now, with this run's reference time, as fresh ones are.
  const finished = ctx.done.get(target.id) ?? new Map<string, ServiceLastAccessedReport>();
  ctx.done.set(target.id, finished);
  const results = new Map<string, SweepPrincipal>();
  for (const p of listed) {
    const stored = finished.get(p.arn);
    if (!stored) continue;
    const principal = judged(p, stored, request, options.now);
    results.set(p.arn, principal);
    if (principal.status !== 'ok') counts.failed++;
  }
  const todo = listed.filter((p) => !finished.has(p.arn));
  counts.resumed = listed.length - todo.length;
  counts.finished = counts.resumed;
  progress('reporting');
  if (todo.length > 0) {
    const { baseline: _b, resume: _r, resumeMaxAgeHours: _m, onCheckpoint: _c, onProgress: _p, accounts: _a, shard: _s, ...engineOptions } = options;
    await runReports(
      todo.map((p) => ({ kind: 'service-last-accessed' as const, arn: p.arn, granularity: request.granularity })),
      {
        ...engineOptions,
        ...connection,
        roleArn: undefined,
        profile: credentials ? undefined : options.profile,
        // The listing already carries every creation date: no Get per principal.
        readPrincipalCreateDate: false,
        onResult: (r, index) => {
          const p = todo[index]!;
          const report = r.ok ? (r.report as ServiceLastAccessedReport) : undefined;
          const principal = report ? judged(p, report, request, options.now) : failed(p, r.ok ? undefined : r.error);
          results.set(p.arn, principal);
          counts.finished++;
          if (report && principal.status === 'ok') {
            finished.set(p.arn, report);
            options.onCheckpoint?.(ctx.checkpoint());
          } else counts.failed++;
          progress('reporting');
        },
      },
    );
  }
  const principals = listed.map((p) => results.get(p.arn)!);
  progress('done');
  return { accountId: target.id, ...named, status: 'ok', principals };
}

function judged(p: ListedPrincipal, report: ServiceLastAccessedReport, request: SweepRequestSummary, now: Date | undefined): SweepPrincipal {
  const withDate: ServiceLastAccessedReport = p.createDate ? { ...report, principalCreateDate: p.createDate } : report;
  try {
    // The one gate: the decision stored is the one its verdict rests on (the ratchet is applied over all of them).
    const verdict = judgeReport(withDate, {
      ...(request.unusedAfterDays !== undefined ? { unusedAfterDays: request.unusedAfterDays } : {}),
      ...(request.allow ? { allow: request.allow } : {}),
      ...(now ? { now } : {}),
    });
    return { arn: p.arn, kind: p.kind, name: p.name, status: 'ok', decision: verdict.unused, services: servicesOf(report) };
  } catch (err) {
    return failed(p, err);
  }
}

function failed(p: ListedPrincipal, err: unknown): SweepPrincipal {
  return { arn: p.arn, kind: p.kind, name: p.name, status: 'failed', error: sweepError(err) };
}

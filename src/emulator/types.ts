/**
 * Public types of the emulator: the world file as written (times still ISO or relative), the job and fault
 * settings, and the handle of a running server. `schema/world.schema.json` is the authoritative JSON form.
 */

/** ISO-8601 (`2025-01-31T12:00:00Z`) or relative to the emulator clock (`"30d ago"`, `"4h ago"`). */
export type WorldTime = string;

export interface PolicyDocument {
  Version?: string;
  Id?: string;
  Statement: PolicyStatement | PolicyStatement[];
}

export interface PolicyStatement {
  Sid?: string;
  /** `Allow` or `Deny` (checked by the schema; typed loosely so object literals need no casts). */
  Effect: string;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Condition?: Record<string, unknown>;
  Principal?: unknown;
  NotPrincipal?: unknown;
}

export interface WorldAccount {
  id: string;
  name?: string;
  email?: string;
  /** As Organizations `ListAccounts` reports it (default ACTIVE); a sweep skips accounts that are not ACTIVE. */
  status?: 'ACTIVE' | 'SUSPENDED' | 'PENDING_CLOSURE';
}

export interface WorldOrganizationalUnit {
  id: string;
  name?: string;
  accounts?: string[];
  organizationalUnits?: WorldOrganizationalUnit[];
}

export interface WorldServiceControlPolicy {
  id: string;
  name?: string;
  description?: string;
  document: PolicyDocument;
  /** Root, OU or account ids the SCP is attached to. */
  targets: string[];
}

export interface WorldOrganization {
  id: string;
  managementAccountId: string;
  root: { id: string; accounts?: string[]; organizationalUnits?: WorldOrganizationalUnit[] };
  policies?: WorldServiceControlPolicy[];
}

/** Common fields of users, groups and roles. */
export interface WorldPrincipalBase {
  account: string;
  name: string;
  path?: string;
  id?: string;
  createDate?: WorldTime;
  /** Managed policy ARNs attached to this principal. */
  attachedPolicies?: string[];
  /** Inline policies by name. */
  inlinePolicies?: Record<string, PolicyDocument>;
}

export type WorldUser = WorldPrincipalBase;
export interface WorldGroup extends WorldPrincipalBase {
  /** User names of the same account. */
  members?: string[];
}
export interface WorldRole extends WorldPrincipalBase {
  description?: string;
  assumeRolePolicyDocument?: PolicyDocument;
  maxSessionDuration?: number;
}

export interface WorldManagedPolicy {
  /** `arn:aws:iam::ACCOUNT:policy/[path/]name`, or `arn:aws:iam::aws:policy/…` for an AWS-managed policy. */
  arn: string;
  id?: string;
  description?: string;
  createDate?: WorldTime;
  updateDate?: WorldTime;
  document: PolicyDocument;
}

export interface WorldAccessKey {
  id: string;
  secret: string;
  /** ARN of the user or role that owns the key. */
  owner: string;
  /**
   * The session token requests signed with this key must carry (`X-Amz-Security-Token`), for temporary keys
   * (`ASIA…`) the world declares. Without it, a request that carries any token is refused, as IAM refuses a
   * token it never issued.
   */
  sessionToken?: string;
}

export interface WorldAccessEvent {
  /** ARN of the user or role that made the call. */
  principal: string;
  /** `service:Action`, e.g. `s3:CreateBucket`. */
  action: string;
  region?: string;
  time: WorldTime;
  /** A denied attempt: still counts as access, as in IAM. */
  denied?: boolean;
}

export interface JobSettings {
  durationMs: number | { min: number; max: number };
  maxConcurrentOrgJobs: number;
  failTargets: string[];
  pageSize?: number;
}

export interface FaultSettings {
  throttle: { requestsPerSecond: number; burst: number } | null;
  serverErrorRate: number;
  latencyMs: number | { min: number; max: number };
  dropConnectionRate: number;
}

export interface WorldSettings {
  /** Pins the emulator clock's starting point (the clock still advances in real time). */
  now?: WorldTime;
  seed?: number;
  jobs?: Partial<JobSettings>;
  faults?: Partial<FaultSettings>;
  /**
   * Services with action last accessed information. Default: every service of the tracked-actions data (from AWS's
   * documentation, `DEFAULT_TRACKED_ACTION_SERVICES`); a service the data does not know tracks all its actions.
   */
  trackedActionServices?: string[];
  /** Action patterns tracked even where the data says they are not (`dynamodb:GetItem`, `kms:*`). */
  trackedActions?: string[];
  /** Action patterns never tracked (data-plane actions). Wins over `trackedActions`; `iam:PassRole` never is. */
  untrackedActions?: string[];
  /** Per service, the time from which its actions are tracked (default from the data: 2023-05-23 for most). */
  actionTrackingStart?: Record<string, WorldTime>;
  /** Tracking window in days (default 400). */
  trackingPeriodDays?: number;
}

export interface World {
  $schema?: string;
  description?: string;
  accounts: WorldAccount[];
  organization?: WorldOrganization;
  users?: WorldUser[];
  groups?: WorldGroup[];
  roles?: WorldRole[];
  policies?: WorldManagedPolicy[];
  accessKeys: WorldAccessKey[];
  events?: WorldAccessEvent[];
  settings?: WorldSettings;
}

export interface EmulatorOptions {
  world: World | string;
  port?: number;
  seed?: number;
  jobs?: Partial<JobSettings>;
  faults?: Partial<FaultSettings>;
  now?: () => Date;
  /**
   * The clock SigV4 signatures are checked against (±15 minutes), default the real time: clients sign with the
   * real time even when the world's report clock (`now`, `settings.now`) is pinned elsewhere.
   */
  requestClock?: () => Date;
  /** Actions every caller is refused with 403 AccessDenied (a caller without that permission, for tests). */
  deniedActions?: string[];
}

export interface EmulatorMetrics {
  calls: Record<string, number>;
  totalCalls: number;
  maxInFlight: number;
  throttled: number;
  /** Throttled answers per Action (a throttled request is also counted in `calls`). */
  throttledCalls: Record<string, number>;
  serverErrors: number;
  droppedConnections: number;
  jobsGenerated: { service: number; organizations: number };
}

export interface RunningEmulator {
  endpoint: string;
  port: number;
  close(): Promise<void>;
  metrics(): EmulatorMetrics;
  resetMetrics(): void;
  setFaults(f: Partial<FaultSettings>): void;
  setJobs(j: Partial<JobSettings>): void;
  forgetJob(jobId: string): void;
  /** Replaces the actions refused with 403 AccessDenied. */
  setDeniedActions(actions: readonly string[]): void;
}

/** Longest job duration a world or flag may set (a day): jobs are polled, and a longer one only hangs a client. */
export const MAX_DURATION_MS = 86_400_000;
/** Highest added latency (10 minutes): above every client timeout, and far below what setTimeout can hold. */
export const MAX_LATENCY_MS = 600_000;

export const DEFAULT_JOB_SETTINGS: JobSettings = {
  durationMs: 1000,
  maxConcurrentOrgJobs: 5,
  failTargets: [],
};

export const DEFAULT_FAULT_SETTINGS: FaultSettings = {
  throttle: null,
  serverErrorRate: 0,
  latencyMs: 0,
  dropConnectionRate: 0,
};

export const DEFAULT_TRACKING_PERIOD_DAYS = 400;

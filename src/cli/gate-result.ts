import type { DriftResult, EvidenceStatus, Finding } from '../analysis/types';

/** The `gate` command's result: one entry per principal, in the order given. */
export interface GateResult {
  readonly kind: 'least-privilege-gate';
  readonly passed: boolean;
  readonly unusedAfterDays: number;
  /** The baseline file compared against, when --baseline was given. */
  readonly baseline?: string;
  /** True when --accept wrote the current state into the baseline. */
  readonly accepted?: boolean;
  readonly principals: readonly GatePrincipal[];
}

export interface GatePrincipal {
  readonly arn: string;
  readonly passed: boolean;
  /** Absent when the report could not be obtained (see `error`). */
  readonly status?: EvidenceStatus;
  readonly statusReason?: string;
  readonly jobId?: string;
  readonly unusedServices: readonly string[];
  readonly unusedActions: readonly string[];
  /** Unused permissions that fail the gate (without a baseline: all of them; with one: the new ones). */
  readonly violations: readonly Finding[];
  readonly allowedByException: readonly Finding[];
  readonly drift?: Pick<DriftResult, 'newUnused' | 'acceptedUnused' | 'resolved'>;
  readonly error?: { readonly message: string; readonly exitCode: number };
}

export const VIOLATION_KINDS: ReadonlySet<Finding['kind']> = new Set(['unused-service', 'unused-action']);

import type { OrgReportSnapshot } from './org-report';
import type { PreparedServiceReport } from './service-report-preparation';

/**
 * Report jobs. A job's data is the world as it was when the job was generated (a snapshot, as IAM documents), computed
 * while the job runs; its status is a function of elapsed real time, so an injected clock that stands still cannot
 * freeze a job.
 */
export interface JobFailure {
  readonly code: string;
  readonly message: string;
}

interface JobBase {
  readonly id: string;
  /** ARN of the principal whose access key generated the job: only it may read the job. */
  readonly owner: string;
  /** The STS session that generated the job, if any: IAM serves such a job to that session only. */
  readonly session?: string;
  readonly account: string;
  readonly creationDate: Date;
  readonly startedAtMs: number;
  readonly durationMs: number;
  readonly failure?: JobFailure;
}

export interface ServiceJob extends JobBase {
  readonly kind: 'service';
  readonly arn: string;
  readonly granularity: 'SERVICE_LEVEL' | 'ACTION_LEVEL';
  /** The report: what it reads of the world taken at generate time, computed and rendered while the job runs. */
  readonly report: PreparedServiceReport;
}

export interface OrganizationsJob extends JobBase {
  readonly kind: 'organizations';
  readonly entityPath: string;
  readonly snapshot: OrgReportSnapshot;
}

export type Job = ServiceJob | OrganizationsJob;

export type JobState =
  | { status: 'IN_PROGRESS' }
  | { status: 'COMPLETED'; completionDate: Date }
  | { status: 'FAILED'; completionDate: Date; failure: JobFailure };

export class JobStore {
  private readonly jobs = new Map<string, Job>();

  constructor(private readonly monotonicMs: () => number) {}

  add(job: Job): void {
    this.jobs.set(job.id, job);
  }

  get(id: string): Job | undefined {
    return this.jobs.get(id);
  }

  forget(id: string): void {
    this.jobs.delete(id);
  }

  state(job: Job): JobState {
    if (this.monotonicMs() - job.startedAtMs < job.durationMs) return { status: 'IN_PROGRESS' };
    const completionDate = new Date(job.creationDate.getTime() + Math.round(job.durationMs));
    return job.failure ? { status: 'FAILED', completionDate, failure: job.failure } : { status: 'COMPLETED', completionDate };
  }

  /** Organizations jobs of an account still IN_PROGRESS (for ReportGenerationLimitExceeded). */
  runningOrganizationsJobs(account: string): number {
    let count = 0;
    for (const job of this.jobs.values()) {
      if (job.kind === 'organizations' && job.account === account && this.state(job).status === 'IN_PROGRESS') count++;
    }
    return count;
  }
}

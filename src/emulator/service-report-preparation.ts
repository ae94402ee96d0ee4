import { performance } from 'node:perf_hooks';
import type { ServiceReportComputation, ServiceReportSnapshot, ServiceRow } from './service-report';
import { list, renderMember, RenderedMembers, type XmlNode } from './xml';

/**
 * A service job's report, prepared while the job runs, as IAM prepares it: Generate only takes what the report reads
 * of the world (ServiceReportComputation) and answers; the services are then computed and rendered as `<member>`
 * items a slice at a time, in the emulator's idle time (ReportPreparations). A Get of a completed job finds the page's
 * bytes ready, and finishes whatever is left first if it comes sooner (a job of 0 ms, a busy emulator).
 */
export class PreparedServiceReport {
  private readonly members: string[] = [];
  private snapshot?: ServiceReportSnapshot;
  private rendered?: RenderedMembers;

  constructor(private readonly computation: ServiceReportComputation) {}

  /** Every service is computed and rendered: a Get only slices the bytes. */
  get ready(): boolean {
    return this.rendered !== undefined;
  }

  /** Prepares up to `count` more services (computed, then rendered); true when the report is ready. */
  step(count: number): boolean {
    if (this.rendered) return true;
    if (!this.computation.done) {
      this.computation.step(count);
      return false;
    }
    const services = this.report().services;
    const end = Math.min(services.length, this.members.length + count);
    while (this.members.length < end) this.members.push(renderedService(services[this.members.length]!));
    if (this.members.length < services.length) return false;
    this.renderedMembers();
    return true;
  }

  /** The job's data: every service and, per namespace, its entities. */
  report(): ServiceReportSnapshot {
    this.snapshot ??= this.computation.finish();
    return this.snapshot;
  }

  /** Every service as its `<member>`, rendered once and encoded once: each page of the job is a view of it. */
  renderedMembers(): RenderedMembers {
    if (!this.rendered) {
      const services = this.report().services;
      while (this.members.length < services.length) this.members.push(renderedService(services[this.members.length]!));
      this.rendered = new RenderedMembers(this.members);
      this.members.length = 0;
    }
    return this.rendered;
  }
}

/**
 * Preparation in idle time: one queue of reports, oldest first, worked on for at most SLICE_MS per turn of the event
 * loop, after the requests that turn had waiting. So a burst of Generates is answered one after the other without
 * the reports of the first ones in between (each Generate starts its job when answered), and a report is ready long
 * before its job ends (a 400-service ACTION_LEVEL report is some 10 ms of work, a job about a second).
 */
export class ReportPreparations {
  private readonly queue: PreparedServiceReport[] = [];
  private scheduled = false;

  add(report: PreparedServiceReport): void {
    this.queue.push(report);
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled || this.queue.length === 0) return;
    this.scheduled = true;
    // Unref'd: pending preparation never keeps a process alive (a Get finishes what is left). A timer, not an
    // immediate: an unref'd immediate runs only when something else wakes the event loop (a request comes in), so an
    // emulator waiting out its jobs prepared one slice per request, and the Gets at the jobs' ends rendered their
    // reports themselves (some 10 ms each for a 400-service ACTION_LEVEL report, one after the other).
    setTimeout(() => this.turn(), 0).unref();
  }

  private turn(): void {
    this.scheduled = false;
    const deadline = performance.now() + SLICE_MS;
    while (this.queue.length > 0 && performance.now() < deadline) {
      try {
        if (this.queue[0]!.step(SERVICES_PER_STEP)) this.queue.shift();
      } catch {
        // Met again, and answered (500 ServiceFailure), by the Get that reads the report.
        this.queue.shift();
      }
    }
    this.schedule();
  }
}

/** Work per turn: short enough that a request arriving meanwhile waits little for it. */
const SLICE_MS = 1;
/** Services computed or rendered between two looks at the clock. */
const SERVICES_PER_STEP = 8;

/** One service of a report as its `<member>` item of ServicesLastAccessed. */
function serviceMember(s: ServiceRow): XmlNode {
  return {
    ServiceName: s.serviceName,
    LastAuthenticated: s.lastAuthenticated,
    ServiceNamespace: s.serviceNamespace,
    LastAuthenticatedEntity: s.lastAuthenticatedEntity,
    LastAuthenticatedRegion: s.lastAuthenticatedRegion,
    TotalAuthenticatedEntities: s.totalAuthenticatedEntities,
    TrackedActionsLastAccessed:
      s.trackedActions && s.trackedActions.length > 0
        ? list(
            s.trackedActions.map((a) => ({
              ActionName: a.actionName,
              LastAccessedEntity: a.lastAccessedEntity,
              LastAccessedTime: a.lastAccessedTime,
              LastAccessedRegion: a.lastAccessedRegion,
            })),
          )
        : undefined,
  };
}

/**
 * A service's `<member>` is a function of its row alone, and the reports of principals with the same policies share
 * most rows (every service nobody used): each distinct row is rendered once. Bounded (a few MB at most: a row of a
 * service with many tracked actions is a few KB, key and member), since a long-running emulator sees ever new rows.
 */
const renderedRows = new Map<string, string>();
const RENDERED_ROWS_KEPT = 2_000;
function renderedService(row: ServiceRow): string {
  const key = JSON.stringify(row);
  let member = renderedRows.get(key);
  if (member === undefined) {
    member = renderMember(serviceMember(row));
    if (renderedRows.size >= RENDERED_ROWS_KEPT) renderedRows.clear();
    renderedRows.set(key, member);
  }
  return member;
}

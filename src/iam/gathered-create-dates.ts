import type { IamSession } from './client';
import { PrincipalCreateDates, planCreateDateListing, type CreateDateReader, type ServiceRequest } from './principal-dates';

/**
 * Principal creation dates for a long-lived engine (openReportRunner), whose reports arrive one by one: Terraform
 * sends its ReadDataSource calls over a few hundred milliseconds, so no read knows how many principals the plan has.
 * A report asks for its date right after its job started and needs it only when the job has completed (at its first
 * poll at the earliest), so the reader gathers the asks that come close together and then reads them as runReports
 * reads a run's dates: the kinds with at least `threshold` principals in the window from one shared
 * GetAccountAuthorizationDetails series, the rest (and whatever the listing did not answer) by their own Get.
 * Each window reads afresh: a role replaced during an apply has a new creation date, so no date outlives its window.
 */
export interface GatheredCreateDatesOptions {
  /** Principals of one kind in a window from which they are listed in bulk (runReports' createDateListingThreshold). */
  readonly threshold: number;
  /**
   * A window closes this long after its last ask, and at the latest twice this long after its first: asks that come
   * close together (a loaded machine answers a plan's generates one by one) stay in one window, and a date is read no
   * later than a fresh job's first poll on the fixed schedule (the engine passes half its first delay).
   */
  readonly windowMs: number;
  /** The engine's signal: aborts the window's shared listing. */
  readonly runSignal?: AbortSignal;
}

interface Ask {
  readonly request: ServiceRequest;
  readonly signal: AbortSignal;
  readonly resolve: (date: string | undefined) => void;
}

interface Window {
  readonly asks: Ask[];
  readonly openedAt: number;
  timer: ReturnType<typeof setTimeout>;
}

export class GatheredCreateDates implements CreateDateReader {
  private window: Window | undefined;

  constructor(
    private readonly session: IamSession,
    private readonly options: GatheredCreateDatesOptions,
  ) {}

  /** Never rejects, like PrincipalCreateDates.read: an abort while the window gathers ends in undefined. */
  read(request: ServiceRequest, signal: AbortSignal): Promise<string | undefined> {
    if (signal.aborted) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const onAbort = (): void => resolve(undefined);
      signal.addEventListener('abort', onAbort, { once: true });
      const ask: Ask = {
        request,
        signal,
        resolve: (date) => {
          signal.removeEventListener('abort', onAbort);
          resolve(date);
        },
      };
      const now = Date.now();
      const open = this.window;
      if (open) {
        open.asks.push(ask);
        clearTimeout(open.timer);
        const closesIn = Math.min(this.options.windowMs, open.openedAt + 2 * this.options.windowMs - now);
        open.timer = setTimeout(() => this.flush(open), Math.max(0, closesIn));
        return;
      }
      const window: Window = { asks: [ask], openedAt: now, timer: setTimeout(() => this.flush(window), this.options.windowMs) };
      this.window = window;
    });
  }

  private flush(window: Window): void {
    if (this.window === window) this.window = undefined;
    const asks = window.asks.filter((a) => !a.signal.aborted);
    if (asks.length === 0) return;
    const plan = planCreateDateListing(asks.map((a) => a.request), this.options.threshold);
    const dates = new PrincipalCreateDates(this.session, plan, this.options.runSignal);
    // The listing is shared by the window; each ask races its own report's signal (a report that gave up must not
    // cost another report on the same principal its date).
    for (const ask of asks) void dates.read(ask.request, ask.signal).then(ask.resolve);
  }
}

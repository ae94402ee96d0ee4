import {
  GenerateServiceLastAccessedDetailsCommand,
  GetServiceLastAccessedDetailsCommand,
  type GetServiceLastAccessedDetailsResponse,
  type IAMClient,
} from '@aws-sdk/client-iam';

/**
 * The ways people poll access-advisor jobs today (the AWS CLI in a loop, Steampipe, Aardvark, CloudQuery), reimplemented as strategies over the
 * same SDK client and emulator as our engine. They are strategies, not products: each keeps its source's polling
 * schedule, concurrency and paging, and nothing else of it.
 *
 * Every sleep is multiplied by `timeScale`, like the emulator's job durations and throttle, so a run can be
 * shortened without changing any ratio between the strategies.
 */
export interface BaselineContext {
  readonly client: IAMClient;
  readonly timeScale: number;
  /** Seeded random numbers, so CloudQuery's random sleeps are the same in every run. */
  readonly random: () => number;
}

export interface BaselineOutcome {
  /** Reports that came back complete (every page, COMPLETED). */
  readonly completed: number;
  /** Errors that reached the caller: throttling after the SDK's own retries, or a job given up on. */
  readonly errorsSeenByCaller: number;
  readonly throttlingErrorsSeenByCaller: number;
}

export interface Baseline {
  readonly name: string;
  readonly source: string;
  run(arns: readonly string[], ctx: BaselineContext): Promise<BaselineOutcome>;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

class Tally {
  completed = 0;
  errors = 0;
  throttling = 0;
  fail(error: unknown): void {
    this.errors++;
    const e = error as { name?: string; Code?: string };
    if (e.name === 'Throttling' || e.Code === 'Throttling') this.throttling++;
  }
  outcome(): BaselineOutcome {
    return { completed: this.completed, errorsSeenByCaller: this.errors, throttlingErrorsSeenByCaller: this.throttling };
  }
}

async function generate(client: IAMClient, arn: string): Promise<string> {
  const out = await client.send(new GenerateServiceLastAccessedDetailsCommand({ Arn: arn, Granularity: 'ACTION_LEVEL' }));
  return out.JobId as string;
}

async function getFirstPage(client: IAMClient, jobId: string): Promise<GetServiceLastAccessedDetailsResponse> {
  return client.send(new GetServiceLastAccessedDetailsCommand({ JobId: jobId, MaxItems: 1000 }));
}

/** Follows Marker after a COMPLETED first page, as every baseline that pages does. */
async function readRemainingPages(client: IAMClient, jobId: string, first: GetServiceLastAccessedDetailsResponse): Promise<void> {
  let page = first;
  while (page.IsTruncated && page.Marker) {
    page = await client.send(new GetServiceLastAccessedDetailsCommand({ JobId: jobId, MaxItems: 1000, Marker: page.Marker }));
  }
}

/**
 * One principal at a time, as a shell loop over `aws iam generate-…` then `get-…` every second until the job
 * leaves IN_PROGRESS (the AWS CLI has no waiter for these jobs).
 */
export const sequentialCliLoop: Baseline = {
  name: 'sequential AWS CLI loop',
  source: 'shell loop: generate, then get every 1 s, one principal after another',
  async run(arns, ctx) {
    const tally = new Tally();
    for (const arn of arns) {
      try {
        const jobId = await generate(ctx.client, arn);
        let page = await getFirstPage(ctx.client, jobId);
        while (page.JobStatus === 'IN_PROGRESS') {
          await sleep(1000 * ctx.timeScale);
          page = await getFirstPage(ctx.client, jobId);
        }
        await readRemainingPages(ctx.client, jobId, page);
        if (page.JobStatus === 'COMPLETED') tally.completed++;
      } catch (error) {
        tally.fail(error);
      }
    }
    return tally.outcome();
  },
};

/**
 * Steampipe `aws_iam_access_advisor`: every qualifying principal hydrated concurrently; per principal 20 polls
 * 500 ms apart, then whatever it has (an unfinished job is a lost report).
 */
export const steampipe: Baseline = {
  name: 'Steampipe (500 ms × 20)',
  source: 'turbot/steampipe-plugin-aws table_aws_iam_access_advisor.go',
  run: (arns, ctx) =>
    eachPrincipalConcurrently(arns, ctx, async (jobId) => {
      let page: GetServiceLastAccessedDetailsResponse | undefined;
      for (let poll = 0; poll < 20; poll++) {
        await sleep(500 * ctx.timeScale);
        page = await getFirstPage(ctx.client, jobId);
        if (page.JobStatus !== 'IN_PROGRESS') break;
      }
      if (page?.JobStatus !== 'COMPLETED') throw new Error(`job ${jobId} still ${page?.JobStatus} after 20 polls`);
      return page;
    }),
};

/**
 * Aardvark's updater: generate every job first, then a round-robin queue of job ids; a job still IN_PROGRESS goes
 * back to the end; it sleeps one second only when a single job is left. No paging in the original; we page so
 * that the report is complete like everyone else's.
 */
export const aardvark: Baseline = {
  name: 'Aardvark (round robin, 1 s)',
  source: 'Netflix-Skunkworks/aardvark aardvark/updater/__init__.py',
  async run(arns, ctx) {
    const tally = new Tally();
    const queue: string[] = [];
    for (const arn of arns) {
      try {
        queue.push(await generate(ctx.client, arn));
      } catch (error) {
        tally.fail(error);
      }
    }
    while (queue.length > 0) {
      const jobId = queue.shift() as string;
      try {
        const page = await getFirstPage(ctx.client, jobId);
        if (page.JobStatus === 'IN_PROGRESS') {
          queue.push(jobId);
          if (queue.length === 1) await sleep(1000 * ctx.timeScale);
          continue;
        }
        await readRemainingPages(ctx.client, jobId, page);
        if (page.JobStatus === 'COMPLETED') tally.completed++;
      } catch (error) {
        tally.fail(error);
      }
    }
    return tally.outcome();
  },
};

/** CloudQuery: every principal concurrently; between polls a random sleep of 1 to 4 s; no overall timeout. */
export const cloudquery: Baseline = {
  name: 'CloudQuery (random 1–4 s)',
  source: 'cloudquery/cloudquery plugins/source/aws/resources/services/iam/last_accessed_details.go',
  run: (arns, ctx) =>
    eachPrincipalConcurrently(arns, ctx, async (jobId) => {
      let page: GetServiceLastAccessedDetailsResponse;
      do {
        await sleep((1000 + 3000 * ctx.random()) * ctx.timeScale);
        page = await getFirstPage(ctx.client, jobId);
      } while (page.JobStatus === 'IN_PROGRESS');
      return page;
    }),
};

/**
 * Every principal at once (Steampipe's hydrate calls, CloudQuery's goroutines): generate, wait as the strategy
 * does, then read the remaining pages of a COMPLETED job.
 */
async function eachPrincipalConcurrently(
  arns: readonly string[],
  ctx: BaselineContext,
  waitForJob: (jobId: string) => Promise<GetServiceLastAccessedDetailsResponse>,
): Promise<BaselineOutcome> {
  const tally = new Tally();
  await Promise.all(
    arns.map(async (arn) => {
      try {
        const jobId = await generate(ctx.client, arn);
        const page = await waitForJob(jobId);
        await readRemainingPages(ctx.client, jobId, page);
        if (page.JobStatus === 'COMPLETED') tally.completed++;
      } catch (error) {
        tally.fail(error);
      }
    }),
  );
  return tally.outcome();
}

export const BASELINES: readonly Baseline[] = [sequentialCliLoop, steampipe, aardvark, cloudquery];

/**
 * Client CPU of one 400-service ACTION_LEVEL report page through the engine's own session: sign and send the
 * GetServiceLastAccessedDetails request, read the ~370 KB answer (report-page-reader.ts: saxes, the SDK's deserializer
 * for what it does not read), the page checks (report-pages.ts) and
 * normalising (normalize.ts), and the heap a finished report keeps alive. The page is taken once
 * from the emulator (the bench world: 400 services allowed, actions tracked for 120) and then served as-is by a
 * plain HTTP server in a child process, so the CPU measured is the client's alone.
 *
 *   npx ts-node --transpile-only bench/report-cpu.ts [pages]
 *   BENCH_CPU_PROFILE=page.cpuprofile npx ts-node --transpile-only bench/report-cpu.ts 100   (the page loop alone)
 *   npx ts-node --transpile-only bench/profile-summary.ts page.cpuprofile                     (top self time)
 */
import { spawn } from 'node:child_process';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  GenerateServiceLastAccessedDetailsCommand,
  GetServiceLastAccessedDetailsCommand,
  IAMClient,
  type GetServiceLastAccessedDetailsResponse,
} from '@aws-sdk/client-iam';
import { startEmulator } from '../src/emulator';
import { createIamSession } from '../src/iam/client';
import { buildServiceReport } from '../src/iam/normalize';
import { RequestGate } from '../src/iam/request-gate';
import { PageCollector, SERVICES, checkServiceJob } from '../src/iam/report-pages';
import { summarize, type Summary } from './suite/stats';
import { BENCH_ACCESS_KEY, BENCH_SECRET_KEY, roleArn, scenarioWorld } from './suite/world';
import { gc } from './suite/collect-garbage';

const CREDENTIALS = { accessKeyId: BENCH_ACCESS_KEY, secretAccessKey: BENCH_SECRET_KEY };
const OP = 'GetServiceLastAccessedDetails';

export interface ReportCpuResult {
  readonly pageBytes: number;
  readonly services: number;
  readonly trackedActions: number;
  /** Client CPU per page after the first (user + system, ms). */
  readonly cpuMs: Summary;
  readonly firstPageCpuMs: number;
  /**
   * Heap one finished report keeps alive (the last RETAINED reports of the loop, measured after a full GC): a report
   * must not keep its page's text (a second copy of every page) through the strings it was cut from.
   */
  readonly retainedBytesPerReport: number;
}

const RETAINED = 20;


/** One real 400-service ACTION_LEVEL page, as the emulator's HTTP answer body. */
export async function capturePage(): Promise<string> {
  const emulator = await startEmulator({ world: scenarioWorld({ principals: 1, services: 400 }), port: 0, seed: 1, jobs: { durationMs: 0 } });
  try {
    const session = await createIamSession({ endpoint: emulator.endpoint, region: 'us-east-1', credentials: CREDENTIALS }, new RequestGate({ requestsPerSecond: 100, concurrency: 2 }), 1);
    const { JobId } = await session.send<{ JobId: string }>(
      'GenerateServiceLastAccessedDetails',
      new GenerateServiceLastAccessedDetailsCommand({ Arn: roleArn(0), Granularity: 'ACTION_LEVEL' }),
      undefined,
    );
    session.close();
    await new Promise((r) => setTimeout(r, 50));
    return await rawGet(emulator.endpoint, JobId);
  } finally {
    await emulator.close();
  }
}

/** The raw body of a Get, signed by the SDK (through a client that keeps the body). */
async function rawGet(endpoint: string, jobId: string): Promise<string> {
  let body = '';
  const client = new IAMClient({ region: 'us-east-1', endpoint, credentials: CREDENTIALS });
  client.middlewareStack.add(
    (next) => async (args) => {
      const out = (await next(args)) as { response: { body: AsyncIterable<Buffer> } };
      const chunks: Buffer[] = [];
      for await (const c of out.response.body) chunks.push(c);
      body = Buffer.concat(chunks).toString('utf8');
      (out.response as { body: unknown }).body = Buffer.from(body);
      return out;
    },
    { step: 'deserialize', priority: 'low', name: 'benchKeepBody' },
  );
  await client.send(new GetServiceLastAccessedDetailsCommand({ JobId: jobId, MaxItems: 1000 }));
  client.destroy();
  return body;
}

export async function runReportCpuBench(pages = 60): Promise<ReportCpuResult> {
  const xml = await capturePage();
  const dir = mkdtempSync(join(tmpdir(), 'aa-bench-report-cpu-'));
  const file = join(dir, 'page.xml');
  writeFileSync(file, xml);
  const server = spawn(
    process.execPath,
    [
      '-e',
      `const b=require('fs').readFileSync(${JSON.stringify(file)});require('http').createServer((q,s)=>{q.resume();q.on('end',()=>{s.writeHead(200,{'content-type':'text/xml'});s.end(b)})}).listen(0,'127.0.0.1',function(){console.log(this.address().port)})`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  try {
    const port = await new Promise<string>((resolve) => server.stdout!.once('data', (d) => resolve(String(d).trim())));
    const session = await createIamSession(
      { endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', credentials: CREDENTIALS },
      new RequestGate({ requestsPerSecond: 10_000, concurrency: 4 }),
      1,
    );
    const request = { kind: 'service-last-accessed', arn: roleArn(0), granularity: 'ACTION_LEVEL', withEntities: false } as const;
    const profiler = process.env['BENCH_CPU_PROFILE'] ? await startProfile() : undefined;
    const cpu: number[] = [];
    let services = 0;
    let trackedActions = 0;
    const kept: unknown[] = [];
    for (let i = 0; i <= pages; i++) {
      const c0 = process.cpuUsage();
      const page = await session.send<GetServiceLastAccessedDetailsResponse>(OP, new GetServiceLastAccessedDetailsCommand({ JobId: 'j'.repeat(36), MaxItems: 1000 }), undefined);
      const collector = new PageCollector<GetServiceLastAccessedDetailsResponse, NonNullable<GetServiceLastAccessedDetailsResponse['ServicesLastAccessed']>[number]>(OP, 'j'.repeat(36), request, SERVICES, 'service');
      collector.accept(page);
      checkServiceJob(request, 'j'.repeat(36), page.JobType, collector.items, false);
      const report = buildServiceReport(request, 'j'.repeat(36), page, collector.items, undefined, undefined);
      const c = process.cpuUsage(c0);
      cpu.push((c.user + c.system) / 1000);
      kept.push(report);
      if (kept.length > RETAINED) kept.shift();
      services = report.servicesLastAccessed.length;
      trackedActions = report.servicesLastAccessed.reduce((n, s) => n + (s.trackedActionsLastAccessed?.length ?? 0), 0);
    }
    session.close();
    if (profiler) await profiler.stopInto(process.env['BENCH_CPU_PROFILE']!);
    gc();
    const withReports = process.memoryUsage().heapUsed;
    const count = kept.length;
    kept.length = 0;
    gc();
    const retainedBytesPerReport = (withReports - process.memoryUsage().heapUsed) / count;
    return { pageBytes: Buffer.byteLength(xml), services, trackedActions, cpuMs: summarize(cpu.slice(1)), firstPageCpuMs: cpu[0]!, retainedBytesPerReport };
  } finally {
    server.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A V8 CPU profile of the page loop alone (not the capture, not module loading), for bench/profile-summary.ts. */
async function startProfile(): Promise<{ stopInto(file: string): Promise<void> }> {
  const { Session } = await import('node:inspector');
  const inspector = new Session();
  inspector.connect();
  const post = (method: string) =>
    new Promise<unknown>((resolve, reject) => inspector.post(method, (error, result) => (error ? reject(error) : resolve(result))));
  await post('Profiler.enable');
  await post('Profiler.start');
  return {
    async stopInto(file: string) {
      const { profile } = (await post('Profiler.stop')) as { profile: unknown };
      writeFileSync(file, JSON.stringify(profile));
      inspector.disconnect();
    },
  };
}

if (require.main === module) {
  runReportCpuBench(Number(process.argv[2] ?? 60)).then(
    (r) =>
      console.log(
        `400-service ACTION_LEVEL page (${(r.pageBytes / 1024).toFixed(0)} KiB, ${r.services} services, ${r.trackedActions} tracked actions): ` +
          `client CPU per page (send, read, checks, normalize) median ${r.cpuMs.median.toFixed(1)} ms ` +
          `(${r.cpuMs.min.toFixed(1)}–${r.cpuMs.max.toFixed(1)}, ${r.cpuMs.runs} pages; first page ${r.firstPageCpuMs.toFixed(1)} ms); ` +
          `heap kept per finished report ${(r.retainedBytesPerReport / 1024).toFixed(0)} KiB (last ${RETAINED} reports)`,
      ),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}

/**
 * Where the time of one `terraform plan` goes, from Terraform's own trace (`TF_LOG=trace`, timestamps in ms) and the
 * provider's phase marks (`ACCESS_ADVISOR_PHASES`: per-RPC start/end, engine loaded, job calls). Used by
 * bench/provider.ts for the one-report plan's breakdown rows.
 */
import { readFileSync } from 'node:fs';

export interface ProviderStartPhases {
  /** Terraform starts the launcher → the handshake line is read ("using plugin"). */
  readonly toHandshakeMs: number;
  /** Handshake → Terraform's first provider RPC. */
  readonly handshakeToFirstRpcMs: number;
  /** Terraform closes the provider (Shutdown) → the process has exited. */
  readonly closeToExitMs: number;
}

export interface PlanPhases {
  readonly totalMs: number;
  readonly starts: readonly ProviderStartPhases[];
  /** ReadDataSource start → end in the provider (the one-report plan has one). */
  readonly readMs?: number;
  /** ReadDataSource start → engine (AWS SDK) loaded, in the provider; 0 when it was loaded before the read came. */
  readonly engineLoadMs?: number;
  /**
   * ConfigureProvider answered → the read's Generate left for IAM: Terraform's gap before the read, the engine's load
   * (which overlaps that gap) and the request. The read's own start mark is no measure here: a read that arrives while
   * the engine loads is marked only once the load is done.
   */
  readonly configureToGenerateMs?: number;
  /** The job's status poll that saw COMPLETED → the read answered. */
  readonly completedToAnswerMs?: number;
  /** GenerateServiceLastAccessedDetails answered → the poll that saw COMPLETED (the job is 1 s). */
  readonly generateToCompletedMs?: number;
  /** The plan's time while no provider process runs (Terraform loading the configuration, building graphs, printing). */
  readonly outsideProviderMs: number;
  /** CPU of the provider's start steps, summed over its processes (serve.ts marks them; absent in older builds). */
  readonly startCpu?: StartCpu;
}

export interface StartCpu {
  /** Process start → serve() running: node's start and the bundle's modules. */
  readonly modulesMs: number;
  /** The gRPC service definitions. */
  readonly servicesMs: number;
  /** The TLS key and certificate. */
  readonly certificateMs: number;
  /** The TLS server bound to its port. */
  readonly bindMs: number;
}

interface Mark {
  readonly pid: number;
  readonly name: string;
  readonly at: number;
  readonly detail?: string;
}

const STAMP = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3})Z /;

function at(line: string): number | undefined {
  const match = STAMP.exec(line);
  return match ? Date.parse(`${match[1]}Z`) : undefined;
}

/**
 * The phases of one plan: `tfLog` is Terraform's trace file, `phasesFile` the provider's marks, `startMs`/`endMs`
 * the plan's wall-clock span (epoch ms) as the caller timed it.
 */
export function planPhases(tfLog: string, phasesFile: string, startMs: number, endMs: number): PlanPhases {
  const events: { at: number; kind: 'start' | 'handshake' | 'rpc' | 'close' | 'exited' }[] = [];
  for (const line of readFileSync(tfLog, 'utf8').split('\n')) {
    const time = at(line);
    if (time === undefined || !line.includes('accessadvisor') && !line.includes('GRPCProvider.v6') && !line.includes('using plugin')) continue;
    if (/provider: starting plugin: .*accessadvisor/.test(line)) events.push({ at: time, kind: 'start' });
    else if (/provider: using plugin: version=6/.test(line)) events.push({ at: time, kind: 'handshake' });
    else if (/GRPCProvider\.v6: Close$/.test(line)) events.push({ at: time, kind: 'close' });
    else if (/GRPCProvider\.v6: [A-Z]\w+$/.test(line)) events.push({ at: time, kind: 'rpc' });
    else if (/provider: plugin process exited: .*accessadvisor/.test(line)) events.push({ at: time, kind: 'exited' });
  }
  const starts: ProviderStartPhases[] = [];
  let open: { start: number; handshake?: number; firstRpc?: number; close?: number } | undefined;
  let providerMs = 0;
  for (const event of events) {
    if (event.kind === 'start') open = { start: event.at };
    else if (!open) continue;
    else if (event.kind === 'handshake') open.handshake ??= event.at;
    else if (event.kind === 'rpc') open.firstRpc ??= event.at;
    else if (event.kind === 'close') open.close ??= event.at;
    else if (event.kind === 'exited' && open.handshake !== undefined && open.close !== undefined) {
      starts.push({
        toHandshakeMs: open.handshake - open.start,
        handshakeToFirstRpcMs: (open.firstRpc ?? open.close) - open.handshake,
        closeToExitMs: event.at - open.close,
      });
      providerMs += event.at - open.start;
      open = undefined;
    }
  }
  const marks = readFileSync(phasesFile, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Mark);
  const first = (name: string, detail?: string) => marks.find((m) => m.name === name && (detail === undefined || m.detail === detail))?.at;
  const readStart = first('rpc:ReadDataSource', 'start');
  const readEnd = first('rpc:ReadDataSource', 'end');
  const engine = first('engine-loaded');
  const generated = first('generate-done');
  const completed = first('poll-done', 'COMPLETED');
  const span = (a?: number, b?: number) => (a !== undefined && b !== undefined ? b - a : undefined);
  const optional = (key: string, value: number | undefined) => (value === undefined ? {} : { [key]: value });
  const startCpu = startCpuOf(marks);
  return {
    totalMs: endMs - startMs,
    starts,
    ...optional('readMs', span(readStart, readEnd)),
    ...optional('engineLoadMs', maybeAtLeastZero(span(readStart, engine))),
    ...optional('configureToGenerateMs', span(first('rpc:ConfigureProvider', 'end'), first('request-sent', 'GenerateServiceLastAccessedDetails'))),
    ...optional('completedToAnswerMs', span(completed, readEnd)),
    ...optional('generateToCompletedMs', span(generated, completed)),
    outsideProviderMs: endMs - startMs - providerMs,
    ...(startCpu ? { startCpu } : {}),
  };
}

/** The start steps' CPU (`start:*` marks, detail `cpu <ms>`), summed over every process that marked them all. */
function startCpuOf(marks: readonly Mark[]): StartCpu | undefined {
  const byPid = new Map<number, Map<string, number>>();
  for (const m of marks) {
    const cpu = /^cpu ([\d.]+)$/.exec(m.detail ?? '');
    if (!m.name.startsWith('start:') || !cpu) continue;
    if (!byPid.has(m.pid)) byPid.set(m.pid, new Map());
    byPid.get(m.pid)!.set(m.name, Number(cpu[1]));
  }
  const total = { modulesMs: 0, servicesMs: 0, certificateMs: 0, bindMs: 0 };
  let complete = 0;
  for (const steps of byPid.values()) {
    const [main, built, certificate, bound] = ['start:main', 'start:server-built', 'start:certificate', 'start:bound'].map((n) => steps.get(n));
    if (main === undefined || built === undefined || certificate === undefined || bound === undefined) continue;
    complete++;
    total.modulesMs += main;
    total.servicesMs += built - main;
    total.certificateMs += certificate - built;
    total.bindMs += bound - certificate;
  }
  return complete > 0 ? total : undefined;
}

function maybeAtLeastZero(value: number | undefined): number | undefined {
  return value === undefined ? undefined : Math.max(0, value);
}

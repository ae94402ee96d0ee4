import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { loadActionCatalog } from '../model/action-catalog';
import { ApiError } from './api-error';
import { JobStore } from './jobs';
import { OPERATIONS, STS_OPERATIONS } from './operations';
import { ORGANIZATIONS_OPERATIONS, ORGANIZATIONS_TARGET_PREFIX, parseJsonInput } from './organizations';
import { QueryParams } from './query';
import { SeededRandom, deriveSeed, pickMs } from './rng';
import { parseAuthorization, verifySignature, type SigningService } from './sigv4';
import type { Caller, EmulatorState } from './state';
import { ReportPreparations } from './service-report-preparation';
import { SessionStore, checkSessionToken, checkWorldKeyToken } from './sessions';
import { STS_XMLNS } from './sts';
import { AccountThrottle } from './throttle';
import { resolveWorldTime } from './time';
import {
  DEFAULT_FAULT_SETTINGS,
  DEFAULT_JOB_SETTINGS,
  type EmulatorMetrics,
  type EmulatorOptions,
  type FaultSettings,
  type RunningEmulator,
  type World,
} from './types';
import { loadWorld } from './world';
import { buildWorldModel, type Principal } from './world-model';
import { IAM_XMLNS, renderError, renderResultParts, type RenderedXml } from './xml';

const MAX_BODY_BYTES = 1_048_576;

/** JSON-protocol services name their errors with an `Exception` suffix (AccessDeniedException, ThrottlingException). */
function jsonErrorCode(code: string): string {
  return code.endsWith('Exception') ? code : `${code}Exception`;
}

function emptyMetrics(): EmulatorMetrics {
  return { calls: {}, totalCalls: 0, maxInFlight: 0, throttled: 0, throttledCalls: {}, serverErrors: 0, droppedConnections: 0, jobsGenerated: { service: 0, organizations: 0 } };
}

/** The emulator clock: injected, or pinned to `settings.now` and advancing in real time, or the real time. */
function makeClock(world: World, injected?: () => Date): () => Date {
  if (injected) return injected;
  const pinned = world.settings?.now ? resolveWorldTime(world.settings.now, new Date()) : undefined;
  if (!pinned) return () => new Date();
  const startedMs = performance.now();
  return () => new Date(pinned.getTime() + (performance.now() - startedMs));
}

/**
 * Starts the emulator: the world file becomes the state every operation reads, an HTTP server on 127.0.0.1 answers
 * IAM, STS and Organizations requests, and the returned handle lets a test change faults and jobs while it runs.
 */
export async function startEmulator(options: EmulatorOptions): Promise<RunningEmulator> {
  const world = loadWorld(options.world);
  const seed = options.seed ?? world.settings?.seed ?? 1;
  const state = initialState(world, options, seed);
  const controls = initialControls(world, options, seed, state.monotonicMs);
  const traffic = { inFlight: 0 };
  const server = createHttpServer(state.metrics, traffic, (req, res, body) => handleRequest(state, controls, req, res, body));
  const port = await listen(server, options.port ?? 0);
  return runningEmulator(server, port, state, controls, traffic);
}

/** Everything an operation handler reads or changes, built from the world file and the options. */
function initialState(world: World, options: EmulatorOptions, seed: number): EmulatorState {
  const clock = makeClock(world, options.now);
  const monotonicMs = () => performance.now();
  return {
    model: buildWorldModel(world, clock()),
    catalog: loadActionCatalog(),
    jobs: new JobStore(monotonicMs),
    preparations: new ReportPreparations(),
    jobSettings: { ...DEFAULT_JOB_SETTINGS, ...world.settings?.jobs, ...options.jobs },
    ids: new SeededRandom(deriveSeed(seed, 'ids')),
    durations: new SeededRandom(deriveSeed(seed, 'durations')),
    clock,
    monotonicMs,
    metrics: emptyMetrics(),
    sessions: new SessionStore(new SeededRandom(deriveSeed(seed, 'sts-sessions'))),
  };
}

/** What happens to a request before any operation sees it: faults, throttling, denials, and the clock it is signed against. */
interface RequestControls {
  faults: FaultSettings;
  deniedActions: Set<string>;
  readonly throttle: AccountThrottle;
  readonly faultRandom: SeededRandom;
  readonly latencyRandom: SeededRandom;
  readonly requestIds: SeededRandom;
  readonly requestClock: () => Date;
}

function initialControls(world: World, options: EmulatorOptions, seed: number, monotonicMs: () => number): RequestControls {
  return {
    faults: { ...DEFAULT_FAULT_SETTINGS, ...world.settings?.faults, ...options.faults },
    deniedActions: new Set(options.deniedActions ?? []),
    throttle: new AccountThrottle(monotonicMs),
    faultRandom: new SeededRandom(deriveSeed(seed, 'faults')),
    latencyRandom: new SeededRandom(deriveSeed(seed, 'latency')),
    requestIds: new SeededRandom(deriveSeed(seed, 'requests')),
    requestClock: options.requestClock ?? (() => new Date()),
  };
}

/** Which service and operation a request names, and how its answer is written. */
interface RequestRoute {
  readonly url: URL;
  readonly target: string;
  readonly isOrganizations: boolean;
  readonly params: QueryParams;
  readonly action: string;
  readonly isSts: boolean;
  readonly service: SigningService;
  readonly xmlns: string;
}

function routeOf(req: http.IncomingMessage, body: string): RequestRoute {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  // Organizations speaks JSON 1.1 on the same endpoint: the operation is named by X-Amz-Target, not by Action.
  const target = String(req.headers['x-amz-target'] ?? '');
  const isOrganizations = target.startsWith(ORGANIZATIONS_TARGET_PREFIX);
  const params = new QueryParams(url.search.slice(1), req.method === 'POST' && !isOrganizations ? body : '');
  const action = isOrganizations ? target.slice(ORGANIZATIONS_TARGET_PREFIX.length) : (params.action ?? '');
  // STS Actions share the endpoint: they are signed for `sts` and answered in STS's XML namespace.
  const isSts = !isOrganizations && Object.hasOwn(STS_OPERATIONS, action);
  const service = isOrganizations ? 'organizations' : isSts ? 'sts' : 'iam';
  return { url, target, isOrganizations, params, action, isSts, service, xmlns: isSts ? STS_XMLNS : IAM_XMLNS };
}

/** Writers of one response: a body, an XML result, an error in the protocol the request spoke. */
function responder(res: http.ServerResponse, requestId: string, route: RequestRoute) {
  const sendBody = (status: number, contentType: string, body: string | RenderedXml, extra: Record<string, string> = {}) => {
    // A report page's members are bytes rendered once (xml.ts): written as they are, never encoded again.
    const parts = typeof body === 'string' ? [body] : body;
    let length = 0;
    for (const part of parts) length += typeof part === 'string' ? Buffer.byteLength(part) : part.length;
    res.writeHead(status, { 'content-type': contentType, 'x-amzn-RequestId': requestId, 'content-length': length, ...extra });
    res.cork();
    for (const part of parts) res.write(part);
    res.end();
    res.uncork();
  };
  const send = (status: number, xml: string | RenderedXml) => sendBody(status, 'text/xml', xml);
  const sendError = (error: ApiError) =>
    route.isOrganizations
      ? sendBody(error.status, 'application/x-amz-json-1.1', JSON.stringify({ __type: jsonErrorCode(error.code), Message: error.message }), {
          'x-amzn-ErrorType': jsonErrorCode(error.code),
        })
      : send(error.status, renderError(error.type, error.code, error.message, requestId, route.xmlns));
  return { sendBody, send, sendError };
}

async function handleRequest(state: EmulatorState, controls: RequestControls, req: http.IncomingMessage, res: http.ServerResponse, body: string): Promise<void> {
  const { metrics } = state;
  const requestId = controls.requestIds.uuid();
  const route = routeOf(req, body);
  metrics.totalCalls++;
  metrics.calls[route.action] = (metrics.calls[route.action] ?? 0) + 1;
  const { sendBody, send, sendError } = responder(res, requestId, route);

  const latency = pickMs(controls.faults.latencyMs, controls.latencyRandom);
  if (latency > 0) await new Promise((resolve) => setTimeout(resolve, latency));
  if (controls.faults.dropConnectionRate > 0 && controls.faultRandom.next() < controls.faults.dropConnectionRate) {
    metrics.droppedConnections++;
    req.socket.destroy();
    return;
  }
  try {
    if (req.method !== 'POST' && req.method !== 'GET') throw new ApiError(405, 'MethodNotAllowed', `Method ${req.method} is not allowed.`);
    const caller = await authenticate(state, controls.requestClock, req, route.url, body, route.service);
    refuseByFaultOrDenial(state, controls, route, caller);
    if (route.isOrganizations) {
      const handler = Object.hasOwn(ORGANIZATIONS_OPERATIONS, route.action) ? ORGANIZATIONS_OPERATIONS[route.action] : undefined;
      if (!handler) throw new ApiError(400, 'UnknownOperationException', `Unknown operation ${route.target}`);
      return sendBody(200, 'application/x-amz-json-1.1', JSON.stringify(handler(state, caller, parseJsonInput(body))));
    }
    const operation = route.isSts ? STS_OPERATIONS[route.action] : OPERATIONS[route.action];
    if (!operation) throw new ApiError(400, 'InvalidAction', `Could not find operation ${route.action || '(no Action)'} for version 2010-05-08`);
    send(200, renderResultParts(route.action, operation(state, caller, route.params), requestId, route.xmlns));
  } catch (error) {
    if (error instanceof ApiError) return sendError(error);
    metrics.serverErrors++;
    sendError(new ApiError(500, 'ServiceFailure', `Internal emulator error: ${(error as Error).message}`));
  }
}

/** The account throttle, injected server errors and denied actions, in that order: each throws the error IAM would answer. */
function refuseByFaultOrDenial(state: EmulatorState, controls: RequestControls, route: RequestRoute, caller: Caller): void {
  const { metrics } = state;
  const { faults } = controls;
  if (faults.throttle && !controls.throttle.take(caller.account, faults.throttle)) {
    metrics.throttled++;
    metrics.throttledCalls[route.action] = (metrics.throttledCalls[route.action] ?? 0) + 1;
    throw new ApiError(400, route.isOrganizations ? 'TooManyRequestsException' : 'Throttling', 'Rate exceeded', 'Sender');
  }
  if (faults.serverErrorRate > 0 && controls.faultRandom.next() < faults.serverErrorRate) {
    metrics.serverErrors++;
    throw new ApiError(500, 'ServiceFailure', 'The request processing has failed because of an unknown error, exception or failure.');
  }
  if (controls.deniedActions.has(route.action)) {
    throw new ApiError(403, 'AccessDenied', `User: ${caller.principal.arn} is not authorized to perform: ${route.service}:${route.action} on resource: *`);
  }
}

/** The caller behind the request's signature: a world access key, or an AssumeRole session acting as its role. */
async function authenticate(
  state: EmulatorState,
  requestClock: () => Date,
  req: http.IncomingMessage,
  url: URL,
  body: string,
  service: SigningService,
): Promise<Caller> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const auth = parseAuthorization(headers);
  const session = state.model.accessKeys.has(auth.accessKeyId) ? undefined : state.sessions.get(auth.accessKeyId);
  const key = session ? { id: session.accessKeyId, secret: session.secretAccessKey } : state.model.accessKeys.get(auth.accessKeyId);
  if (!key) throw new ApiError(403, 'InvalidClientTokenId', 'The security token included in the request is invalid.');
  // Session expiry is on the emulator clock (it issued the Expiration); signature freshness on the real one,
  // the clock every client signs with.
  if (session) checkSessionToken(session, headers['x-amz-security-token'], state.clock());
  else checkWorldKeyToken(state.model.accessKeys.get(auth.accessKeyId)!.sessionToken, headers['x-amz-security-token']);
  const query: Record<string, string | string[]> = {};
  for (const [name, value] of url.searchParams) {
    const existing = query[name];
    query[name] = existing === undefined ? value : [...(Array.isArray(existing) ? existing : [existing]), value];
  }
  await verifySignature({ method: req.method ?? 'POST', path: url.pathname, query, headers, body }, auth, key, service, requestClock());
  // Session keys act as the assumed role: its ARN owns the jobs they generate. A role or user deleted since (DeleteRole)
  // takes its credentials with it, and a role created again under its name is another principal.
  const principal = session
    ? currentPrincipal(state, session.role.arn, session.role.id)
    : currentPrincipal(state, state.model.accessKeys.get(key.id)!.owner);
  if (!principal) throw new ApiError(403, 'InvalidClientTokenId', 'The security token included in the request is invalid.');
  return { accessKeyId: key.id, principal, account: principal.account, ...(session ? { session: session.accessKeyId } : {}) };
}

function currentPrincipal(state: EmulatorState, arn: string, id?: string): Principal | undefined {
  const principal = state.model.principals.get(arn);
  return principal && (id === undefined || principal.id === id) ? principal : undefined;
}

/** The HTTP server: counts requests in flight, refuses bodies over MAX_BODY_BYTES, hands each whole body to `handle`. */
function createHttpServer(
  metrics: EmulatorMetrics,
  traffic: { inFlight: number },
  handle: (req: http.IncomingMessage, res: http.ServerResponse, body: string) => Promise<void>,
): http.Server {
  const server = http.createServer((req, res) => {
    traffic.inFlight++;
    metrics.maxInFlight = Math.max(metrics.maxInFlight, traffic.inFlight);
    let finished = false;
    const done = () => {
      if (!finished) {
        finished = true;
        traffic.inFlight--;
      }
    };
    res.on('close', done);
    res.on('finish', done);
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) req.socket.destroy();
      else chunks.push(chunk);
    });
    req.on('end', () => {
      void handle(req, res, Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', done);
  });
  server.keepAliveTimeout = 5_000;
  return server;
}

function listen(server: http.Server, port: number): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** The handle a test holds: the endpoint, metrics, and the controls it may change while the emulator runs. */
function runningEmulator(
  server: http.Server,
  port: number,
  state: EmulatorState,
  controls: RequestControls,
  traffic: { inFlight: number },
): RunningEmulator {
  const { metrics } = state;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
    metrics: () => structuredClone(metrics),
    resetMetrics: () => {
      Object.assign(metrics, emptyMetrics());
      metrics.maxInFlight = traffic.inFlight;
    },
    setFaults: (f) => {
      controls.faults = { ...controls.faults, ...f };
      if ('throttle' in f) controls.throttle.reset();
    },
    setJobs: (j) => {
      state.jobSettings = { ...state.jobSettings, ...j };
    },
    forgetJob: (jobId) => state.jobs.forget(jobId),
    setDeniedActions: (actions) => {
      controls.deniedActions = new Set(actions);
    },
  };
}

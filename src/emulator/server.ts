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
import { STS_XMLNS, SessionStore, checkSessionToken, checkWorldKeyToken } from './sts';
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
import { buildWorldModel } from './world-model';
import { IAM_XMLNS, renderError, renderResult } from './xml';

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

export async function startEmulator(options: EmulatorOptions): Promise<RunningEmulator> {
  const world = loadWorld(options.world);
  const clock = makeClock(world, options.now);
  const requestClock = options.requestClock ?? (() => new Date());
  const monotonicMs = () => performance.now();
  const seed = options.seed ?? world.settings?.seed ?? 1;
  const catalog = loadActionCatalog();
  const metrics = emptyMetrics();
  const state: EmulatorState = {
    model: buildWorldModel(world, clock()),
    catalog,
    jobs: new JobStore(monotonicMs),
    jobSettings: { ...DEFAULT_JOB_SETTINGS, ...world.settings?.jobs, ...options.jobs },
    ids: new SeededRandom(deriveSeed(seed, 'ids')),
    durations: new SeededRandom(deriveSeed(seed, 'durations')),
    clock,
    monotonicMs,
    metrics,
    sessions: new SessionStore(new SeededRandom(deriveSeed(seed, 'sts-sessions'))),
  };
  let faults: FaultSettings = { ...DEFAULT_FAULT_SETTINGS, ...world.settings?.faults, ...options.faults };
  const faultRandom = new SeededRandom(deriveSeed(seed, 'faults'));
  const latencyRandom = new SeededRandom(deriveSeed(seed, 'latency'));
  const requestIds = new SeededRandom(deriveSeed(seed, 'requests'));
  const throttle = new AccountThrottle(monotonicMs);
  let inFlight = 0;
  let deniedActions = new Set(options.deniedActions ?? []);

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse, body: string): Promise<void> => {
    const requestId = requestIds.uuid();
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    // Organizations speaks JSON 1.1 on the same endpoint: the operation is named by X-Amz-Target, not by Action.
    const target = String(req.headers['x-amz-target'] ?? '');
    const isOrganizations = target.startsWith(ORGANIZATIONS_TARGET_PREFIX);
    const params = new QueryParams(url.search.slice(1), req.method === 'POST' && !isOrganizations ? body : '');
    const action = isOrganizations ? target.slice(ORGANIZATIONS_TARGET_PREFIX.length) : (params.action ?? '');
    // STS Actions share the endpoint: they are signed for `sts` and answered in STS's XML namespace.
    const isSts = !isOrganizations && Object.hasOwn(STS_OPERATIONS, action);
    const service = isOrganizations ? 'organizations' : isSts ? 'sts' : 'iam';
    const xmlns = isSts ? STS_XMLNS : IAM_XMLNS;
    metrics.totalCalls++;
    metrics.calls[action] = (metrics.calls[action] ?? 0) + 1;

    const sendBody = (status: number, contentType: string, text: string, extra: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': contentType, 'x-amzn-RequestId': requestId, 'content-length': Buffer.byteLength(text), ...extra });
      res.end(text);
    };
    const send = (status: number, xml: string) => sendBody(status, 'text/xml', xml);
    const sendError = (error: ApiError) =>
      isOrganizations
        ? sendBody(error.status, 'application/x-amz-json-1.1', JSON.stringify({ __type: jsonErrorCode(error.code), Message: error.message }), {
            'x-amzn-ErrorType': jsonErrorCode(error.code),
          })
        : send(error.status, renderError(error.type, error.code, error.message, requestId, xmlns));

    const latency = pickMs(faults.latencyMs, latencyRandom);
    if (latency > 0) await new Promise((resolve) => setTimeout(resolve, latency));
    if (faults.dropConnectionRate > 0 && faultRandom.next() < faults.dropConnectionRate) {
      metrics.droppedConnections++;
      req.socket.destroy();
      return;
    }
    try {
      if (req.method !== 'POST' && req.method !== 'GET') throw new ApiError(405, 'MethodNotAllowed', `Method ${req.method} is not allowed.`);
      const caller = await authenticate(req, url, body, service);
      if (faults.throttle && !throttle.take(caller.account, faults.throttle)) {
        metrics.throttled++;
        metrics.throttledCalls[action] = (metrics.throttledCalls[action] ?? 0) + 1;
        throw new ApiError(400, isOrganizations ? 'TooManyRequestsException' : 'Throttling', 'Rate exceeded', 'Sender');
      }
      if (faults.serverErrorRate > 0 && faultRandom.next() < faults.serverErrorRate) {
        metrics.serverErrors++;
        throw new ApiError(500, 'ServiceFailure', 'The request processing has failed because of an unknown error, exception or failure.');
      }
      if (deniedActions.has(action)) {
        throw new ApiError(403, 'AccessDenied', `User: ${caller.principal.arn} is not authorized to perform: ${service}:${action} on resource: *`);
      }
      if (isOrganizations) {
        const handler = Object.hasOwn(ORGANIZATIONS_OPERATIONS, action) ? ORGANIZATIONS_OPERATIONS[action] : undefined;
        if (!handler) throw new ApiError(400, 'UnknownOperationException', `Unknown operation ${target}`);
        return sendBody(200, 'application/x-amz-json-1.1', JSON.stringify(handler(state, caller, parseJsonInput(body))));
      }
      const operation = isSts ? STS_OPERATIONS[action] : OPERATIONS[action];
      if (!operation) throw new ApiError(400, 'InvalidAction', `Could not find operation ${action || '(no Action)'} for version 2010-05-08`);
      send(200, renderResult(action, operation(state, caller, params), requestId, xmlns));
    } catch (error) {
      if (error instanceof ApiError) return sendError(error);
      metrics.serverErrors++;
      sendError(new ApiError(500, 'ServiceFailure', `Internal emulator error: ${(error as Error).message}`));
    }
  };

  const authenticate = async (req: http.IncomingMessage, url: URL, body: string, service: SigningService): Promise<Caller> => {
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
    // Session keys act as the assumed role: its ARN owns the jobs they generate.
    const principal = session ? session.role : state.model.principals.get(state.model.accessKeys.get(key.id)!.owner)!;
    return { accessKeyId: key.id, principal, account: principal.account, ...(session ? { session: session.accessKeyId } : {}) };
  };

  const server = http.createServer((req, res) => {
    inFlight++;
    metrics.maxInFlight = Math.max(metrics.maxInFlight, inFlight);
    let finished = false;
    const done = () => {
      if (!finished) {
        finished = true;
        inFlight--;
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

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

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
      metrics.maxInFlight = inFlight;
    },
    setFaults: (f) => {
      faults = { ...faults, ...f };
      if ('throttle' in f) throttle.reset();
    },
    setJobs: (j) => {
      state.jobSettings = { ...state.jobSettings, ...j };
    },
    forgetJob: (jobId) => state.jobs.forget(jobId),
    setDeniedActions: (actions) => {
      deniedActions = new Set(actions);
    },
  };
}

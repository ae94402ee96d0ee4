import type { IAMClientConfig } from '@aws-sdk/client-iam';
import { ConfiguredRetryStrategy, IAMClient, fromIni, fromTemporaryCredentials, getSchemaSerdePlugin } from './aws-sdk';
import { checkEndpointSetup, explainCredentialsFailure } from './aws-setup';
import { abortError, raceAbort } from './backoff';
import { AwsRequestError } from '../model/errors';
import { REDACTED, registerSecret, safeMessage } from '../model/redact';
import type { ReportRequest } from '../model/report';
import type { ReleaseGate, RequestGate } from './request-gate';
import { PHASES_ON, phaseMark } from './phase-log';
import { FAST_READ_OPERATIONS, peekJobStatus, readReportPage } from './report-page-reader';

/** Static keys as the AWS SDK names them. */
export interface StaticCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** Structurally the SDK's AwsCredentialIdentityProvider, declared here so our types need no SDK-internal package. */
export type AwsCredentialIdentityProvider = (identityProperties?: Record<string, unknown>) => Promise<
  StaticCredentials & { readonly expiration?: Date }
>;

export interface ConnectionOptions {
  /** Default: the SDK chain (AWS_REGION, profile), else us-east-1 — IAM is global. */
  region?: string;
  /** e.g. the emulator; else AWS_ENDPOINT_URL_IAM / AWS_ENDPOINT_URL / profile endpoint_url, as the SDK does. */
  endpoint?: string;
  profile?: string;
  /** Assume this role first (STS AssumeRole) and call IAM with its temporary credentials. */
  roleArn?: string;
  credentials?: StaticCredentials | AwsCredentialIdentityProvider;
}

/**
 * SDK-level retries for one HTTP call: throttling (400 Throttling, 429), 5xx and dropped/refused connections.
 * Six attempts with exponential backoff and equal jitter (0.25–0.5 s, 0.5–1 s, 1–2 s, 2–4 s, 2.5–5 s: about 12 s
 * at worst) outlast a throttling burst or a brief outage of IAM without hiding a real outage for long; the job
 * timeout still bounds the whole report. Retry attempts pass through the RequestGate again, so they respect the
 * run's rate limit instead of adding to the storm.
 */
export const SDK_MAX_ATTEMPTS = 6;
export function sdkRetryDelay(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(5000, 250 * Math.pow(2, attempt));
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}

/**
 * A connection refused by this machine itself (127.0.0.0/8, ::1): nothing listens on that port — a stopped emulator,
 * a proxy not started. Waiting seconds between attempts cannot change that, so it fails at once. A refusal from
 * another host (a load balancer cycling, a brief outage) is still retried like any transient network error.
 */
export function isRefusedByThisMachine(err: unknown): boolean {
  for (let current = err as { code?: unknown; address?: unknown; cause?: unknown } | undefined, depth = 0; current && depth < 5; depth++) {
    if (current.code === 'ECONNREFUSED' && typeof current.address === 'string') return isLoopbackAddress(current.address);
    current = current.cause as typeof current;
  }
  return false;
}

function refusedAddress(err: unknown): { address: string; port: string } {
  for (let current = err as { code?: unknown; address?: unknown; port?: unknown; cause?: unknown } | undefined, depth = 0; current && depth < 5; depth++) {
    if (current.code === 'ECONNREFUSED' && typeof current.address === 'string') return { address: current.address, port: String(current.port ?? '?') };
    current = current.cause as typeof current;
  }
  return { address: '?', port: '?' };
}

function isLoopbackAddress(address: string): boolean {
  return /^127\.\d+\.\d+\.\d+$/.test(address) || address === '::1' || /^::ffff:127\./i.test(address);
}

/** The SDK's retry loop with one refusal added: connections refused by this machine are not retried. */
export class IamRetryStrategy extends ConfiguredRetryStrategy {
  override async refreshRetryTokenForRetry(
    ...args: Parameters<ConfiguredRetryStrategy['refreshRetryTokenForRetry']>
  ): ReturnType<ConfiguredRetryStrategy['refreshRetryTokenForRetry']> {
    // Throwing here ends the loop; the SDK then rejects with the request's own error, not this one.
    if (isRefusedByThisMachine(args[1].error)) throw new Error('connection refused by this machine: not retried');
    return super.refreshRetryTokenForRetry(...args);
  }
}

const FALLBACK_REGION = 'us-east-1';
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNABORTED',
]);

const warned = new Set<string>();

/**
 * The SDK's own warnings (e.g. "Multiple credential sources detected", 8 lines, once per client) as one line, once
 * per process, redacted: stderr stays one line per message. It has no `info`: the SDK calls `logger.info?.(…)` once
 * per response with a copy of the whole output filtered for sensitive fields, which it builds only when `info`
 * exists (for a 400-service ACTION_LEVEL page, a few ms of CPU spent on a log line nobody reads).
 */
export const SDK_LOGGER = {
  debug: (): void => undefined,
  warn: (...args: unknown[]): void => {
    const line = safeMessage(args.map(String).join(' ')).replace(/^@aws-sdk\/[\w-]+ - [\w:]+ WARNING:\s*/, '');
    if (line === '' || warned.has(line)) return;
    warned.add(line);
    process.stderr.write(`access-advisor: AWS SDK warning: ${line}\n`);
  },
  error: (): void => undefined,
};

async function resolveRegion(options: ConnectionOptions): Promise<string> {
  if (options.region) return options.region;
  // Ask the SDK's own region chain (env, shared config of the profile); IAM is global, so fall back quietly.
  const probe = new IAMClient({ ...(options.profile ? { profile: options.profile } : {}), logger: SDK_LOGGER as IAMClientConfig['logger'] });
  try {
    const region = await probe.config.region();
    return region || FALLBACK_REGION;
  } catch {
    return FALLBACK_REGION;
  } finally {
    probe.destroy();
  }
}

/**
 * Where AssumeRole goes. `AWS_ENDPOINT_URL_STS` is the user naming STS's endpoint outright, so it wins (the SDK's
 * STS client reads it itself). Otherwise an explicit IAM `endpoint` (the emulator, a proxy) serves STS too: sending
 * AssumeRole to real STS while IAM calls go to a local endpoint would mix two worlds. With neither, the SDK chain
 * decides (AWS_ENDPOINT_URL, the profile's endpoint_url, else the regional STS endpoint).
 */
export function stsEndpoint(options: ConnectionOptions, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env['AWS_ENDPOINT_URL_STS']) return undefined;
  return options.endpoint;
}

function credentialsConfig(options: ConnectionOptions, region: string): IAMClientConfig['credentials'] {
  const base =
    options.credentials ?? (options.profile && options.roleArn ? fromIni({ profile: options.profile }) : undefined);
  if (!options.roleArn) return base as IAMClientConfig['credentials'];
  const endpoint = stsEndpoint(options);
  return fromTemporaryCredentials({
    params: { RoleArn: options.roleArn, RoleSessionName: `access-advisor-${Date.now()}` },
    ...(base ? { masterCredentials: base as never } : {}),
    clientConfig: { region, ...(endpoint ? { endpoint } : {}) },
  });
}

/** The requests that start a job: the run's gate serves them before the polls and pages waiting (request-gate.ts). */
const JOB_STARTS: ReadonlySet<string> = new Set(['GenerateServiceLastAccessedDetails', 'GenerateOrganizationsAccessReport']);

/** What the caller of IamSession.send hears of its command's attempts, so it can time IAM apart from its own queue. */
export interface SendHooks {
  /**
   * Each time an attempt leaves the gate for the wire (again for each retry): the time a request waited for the
   * run's rate limit is told apart from the time IAM took.
   */
  readonly onAdmitted?: () => void;
  /**
   * Each time an attempt's HTTP answer is in, before its body is read and parsed (a 400-service page is some 10 ms of
   * CPU more): when IAM answered.
   */
  readonly onAnswered?: () => void;
  /**
   * When a report page's 2xx body is in and before it is parsed, with the JobStatus it names (peekJobStatus: a timing
   * hint, not yet read nor checked); when it returns true the page is parsed after the requests the caller started
   * meanwhile have gone out.
   */
  readonly onBodyIn?: (jobStatus: string | undefined) => boolean;
}

export interface IamSession {
  readonly client: IAMClient;
  /**
   * Sends one command through the gate; rejects with AwsRequestError, or an AbortError when `signal` fires.
   * `hooks` tell the caller when each attempt left, was answered and had its body in (SendHooks).
   */
  send<O>(operation: string, command: unknown, signal: AbortSignal | undefined, request?: ReportRequest, hooks?: SendHooks): Promise<O>;
  close(): void;
}

export async function createIamSession(
  options: ConnectionOptions,
  gate: RequestGate,
  maxAttempts: number = SDK_MAX_ATTEMPTS,
  timeScale = 1,
): Promise<IamSession> {
  checkEndpointSetup(options, options.roleArn ? ['IAM', 'STS'] : ['IAM']);
  const region = await resolveRegion(options);
  const secrets = secretStrings(options.credentials);
  const client = new IAMClient({
    region,
    logger: SDK_LOGGER as IAMClientConfig['logger'],
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.profile && !options.roleArn ? { profile: options.profile } : {}),
    ...(credentialsConfig(options, region) ? { credentials: credentialsConfig(options, region) } : {}),
    retryStrategy: new IamRetryStrategy(maxAttempts, (attempt: number) => sdkRetryDelay(attempt) * timeScale),
    requestHandler: { connectionTimeout: 5_000, requestTimeout: 30_000 },
  });
  const sdkDeserializer = sdkDeserializerOf(client);
  return {
    client,
    async send<O>(operation: string, command: unknown, signal: AbortSignal | undefined, request?: ReportRequest, hooks: SendHooks = {}) {
      const { onAdmitted, onAnswered, onBodyIn } = hooks;
      const cmd = command as Parameters<IAMClient['send']>[0];
      const startsJob = JOB_STARTS.has(operation);
      // A run hands the session all its reports at once (200 generates). Let into the SDK's stack together, every
      // command was serialized and signed (about a millisecond of CPU each) before the first reached the gate, so
      // nothing went on the wire for the first few hundred milliseconds of a large run, and the first answers waited
      // for that work too. Staged, only a few commands are prepared ahead of the gate at any time: the first request
      // leaves after a few commands' work, and each next command is prepared while the ones before it are on the wire.
      // (A command signed long before it leaves would also carry a stale signature time.)
      let unstage: (() => void) | undefined;
      try {
        unstage = await gate.stage(signal, startsJob);
      } catch (err) {
        throw toAwsRequestError(operation, err, request, secrets, signal);
      }
      // Per attempt, after signing and inside the SDK's retry loop: every wire request is rate limited and counted.
      // Outside the deserializer (priority high), so it sees IAM's error code and can tell throttling apart.
      (cmd.middlewareStack as unknown as MiddlewareAdder).add(
        (next) => async (args) => {
          let release: ReleaseGate;
          try {
            release = await gate.enter(signal, startsJob);
          } finally {
            // Its place goes to the next command once this one leaves the gate (or gives up waiting).
            unstage?.();
            unstage = undefined;
          }
          onAdmitted?.();
          phaseMark('request-sent', operation);
          try {
            const out = await next(args);
            release('ok');
            phaseMark('response-parsed', operation);
            return out;
          } catch (err) {
            release(isThrottlingError(err) ? 'throttled' : 'failed');
            throw err;
          }
        },
        { step: 'deserialize', priority: 'high', name: 'accessAdvisorRequestGate' },
      );
      if (FAST_READ_OPERATIONS.has(operation)) {
        // Replaces the SDK's deserializer for this command only (same name, step and priority): report pages are
        // read by report-page-reader.ts, and whatever it does not read, the SDK's own deserializer does.
        (cmd.middlewareStack as unknown as MiddlewareAdder).add(fastPageDeserializer(operation, sdkDeserializer, onBodyIn), {
          step: 'deserialize',
          priority: 'normal',
          name: 'deserializerMiddleware',
          override: true,
          tags: ['DESERIALIZER'],
        });
      }
      if (onAnswered) {
        // Inside the deserializer: when the HTTP answer is in, before its body is read and parsed.
        (cmd.middlewareStack as unknown as MiddlewareAdder).add(
          (next) => async (args) => {
            const out = await next(args);
            onAnswered();
            return out;
          },
          { step: 'deserialize', priority: 'low', name: 'accessAdvisorAnswered' },
        );
      }
      if (PHASES_ON) {
        // Inside the deserializer: when the HTTP answer is in, before it is parsed (latency bench only).
        (cmd.middlewareStack as unknown as MiddlewareAdder).add(
          (next) => async (args) => {
            const out = await next(args);
            phaseMark('response-received', operation);
            return out;
          },
          { step: 'deserialize', priority: 'low', name: 'accessAdvisorPhaseMark' },
        );
      }
      const sent = client.send(cmd, signal ? { abortSignal: signal } : {});
      sent.catch(() => undefined); // the race below may leave it behind after an abort
      try {
        return (await raceAbort(sent, signal)) as O;
      } catch (err) {
        throw explainCredentialsFailure(err, options) ?? toAwsRequestError(operation, err, request, secrets, signal);
      } finally {
        // The command ended before it reached the gate (credentials or serialization failed, aborted).
        unstage?.();
        unstage = undefined;
      }
    },
    close: () => client.destroy(),
  };
}

const THROTTLING_CODES = new Set(['Throttling', 'ThrottlingException', 'TooManyRequestsException', 'RequestLimitExceeded', 'RequestThrottled']);

/** IAM answers 400 `Throttling` ("Rate exceeded"); other AWS front ends answer 429 or a *Throttl* code. */
export function isThrottlingError(err: unknown): boolean {
  const e = (err ?? {}) as SdkErrorShape & { $retryable?: { throttling?: boolean } };
  if (e.$metadata?.httpStatusCode === 429 || e.$retryable?.throttling) return true;
  const code = e.Code ?? e.Error?.Code ?? e.name;
  return code !== undefined && THROTTLING_CODES.has(code);
}

type Handler = (args: unknown) => Promise<unknown>;
type Middleware = (next: Handler, context: unknown) => Handler;
interface MiddlewareAdder {
  add(mw: Middleware, options: { step: string; priority: string; name: string; override?: boolean; tags?: string[] }): void;
}

interface RawResponse {
  statusCode: number;
  headers: Record<string, string | undefined>;
  body: unknown;
}

/** The SDK's own deserializer middleware of this client (the one its schema plugin installs), to fall back on. */
function sdkDeserializerOf(client: IAMClient): Middleware {
  let found: Middleware | undefined;
  getSchemaSerdePlugin(client.config as never).applyToStack({
    add: (mw: Middleware, options: { name?: string }) => {
      if (options.name === 'deserializerMiddleware') found = mw;
    },
  } as never);
  if (!found) throw new Error('the AWS SDK installed no deserializerMiddleware: this SDK version is not supported');
  return found;
}

async function bodyBytes(body: unknown): Promise<Buffer> {
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const chunks: Buffer[] = [];
  for await (const chunk of body as AsyncIterable<Buffer | string>) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks);
}

/**
 * A 2xx report page goes through report-page-reader.ts once; anything else (an error answer, a page outside the
 * reader's narrow grammar) goes to the SDK's deserializer with the same response, its body kept as bytes.
 */
function fastPageDeserializer(operation: string, sdk: Middleware, onBodyIn?: SendHooks['onBodyIn']): Middleware {
  return (next, context) => async (args) => {
    const { response } = (await next(args)) as { response: RawResponse };
    if (response.statusCode >= 200 && response.statusCode < 300) {
      const bytes = await bodyBytes(response.body);
      // The parse is synchronous (a 400-service page: 5-50 ms): requests the hint started leave before it.
      if (onBodyIn?.(peekJobStatus(bytes))) await new Promise((resolve) => setImmediate(resolve));
      const output = readReportPage(operation, bytes);
      if (output) {
        const header = (name: string): string | undefined =>
          Object.entries(response.headers).find(([k]) => k.toLowerCase() === name)?.[1];
        const $metadata = {
          httpStatusCode: response.statusCode,
          requestId: header('x-amzn-requestid') ?? header('x-amzn-request-id') ?? header('x-amz-request-id'),
          extendedRequestId: header('x-amz-id-2'),
          cfId: header('x-amz-cf-id'),
        };
        return { response, output: { ...output, $metadata } };
      }
      response.body = bytes;
    }
    return sdk(async () => ({ response }), context)(args);
  };
}

function secretStrings(credentials: ConnectionOptions['credentials']): string[] {
  if (!credentials || typeof credentials === 'function') return [];
  const values = [credentials.secretAccessKey, credentials.sessionToken].filter((s): s is string => typeof s === 'string' && s.length >= 8);
  values.forEach(registerSecret);
  return values;
}

/** `text` without credentials (see redact.ts), also without the given secrets; one line. */
export function redact(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const s of secrets) out = out.split(s).join(REDACTED);
  return safeMessage(out);
}

interface SdkErrorShape {
  name?: string;
  message?: string;
  code?: string;
  Code?: string;
  Error?: { Code?: string; Message?: string };
  $metadata?: { httpStatusCode?: number };
  cause?: unknown;
}

/** Abort errors pass through untouched (the runner decides between timeout and abort); the rest become typed. */
export function toAwsRequestError(
  operation: string,
  err: unknown,
  request: ReportRequest | undefined,
  secrets: readonly string[],
  signal?: AbortSignal,
): unknown {
  if (err instanceof AwsRequestError) return err;
  const e = (err ?? {}) as SdkErrorShape;
  if (signal?.aborted || e.name === 'AbortError') return abortError();
  const status = e.$metadata?.httpStatusCode;
  const sdkCode = e.Code ?? e.Error?.Code;
  // The SDK wraps foreign-realm errors (e.g. under jest) as "AWS SDK error wrapper for Error: connect ECONNREFUSED",
  // dropping `code`: the message still names it.
  const nodeCode =
    e.code ?? (e.cause as SdkErrorShape | undefined)?.code ?? /\b(E[A-Z_]{4,})\b/.exec(e.message ?? '')?.[1];
  if (!status && !sdkCode && isRefusedByThisMachine(err)) {
    const { address, port } = refusedAddress(err);
    return new AwsRequestError(
      operation,
      'NetworkingError',
      `ECONNREFUSED: nothing listens on ${address}:${port}; start the server there (e.g. "access-advisor emulator --port ${port}") or fix the endpoint (--endpoint-url, AWS_ENDPOINT_URL)`,
      request,
      {},
    );
  }
  if (!status && !sdkCode && (nodeCode && NETWORK_CODES.has(nodeCode) || e.name === 'TimeoutError')) {
    return new AwsRequestError(
      operation,
      'NetworkingError',
      redact(`${nodeCode ?? e.name}: the IAM endpoint could not be reached or dropped the connection (${e.message ?? 'no detail'})`, secrets),
      request,
      {},
    );
  }
  const named = sdkCode ?? (e.name && e.name !== 'Error' ? e.name.replace(/Exception$/, '') : undefined);
  const code = named && !/^Unknown(Error)?$/.test(named) ? named : status !== undefined ? `HTTP${status}` : 'UnknownError';
  return new AwsRequestError(operation, code, redact(describeFailure(e, named, status), secrets), request, {
    ...(status !== undefined ? { httpStatusCode: status } : {}),
  });
}

const STATUS_HINTS: Record<number, string> = {
  403: 'forbidden',
  404: 'not found',
  409: 'conflict',
  429: 'throttled: too many requests',
  500: 'server error',
  502: 'bad gateway',
  503: 'service unavailable',
  504: 'gateway timeout',
};

/**
 * A message that says what happened even when the answer was not IAM's: a proxy's HTML 403 ("Unknown: Unknown" from
 * the SDK), a 429 text page ("XML parse error"), a body the SDK could not deserialize. The HTTP status is named.
 */
function describeFailure(e: SdkErrorShape, code: string | undefined, status: number | undefined): string {
  const message = (e.message ?? '').trim();
  const foreign =
    !code || /^Unknown(Error)?$/.test(code) || /^(Unknown|UnknownError)?$/.test(message) || /deserializ|parse error|xml/i.test(message);
  if (!foreign || status === undefined) return message || String(code ?? 'no detail');
  const hint = STATUS_HINTS[status] ?? (status >= 500 ? 'server error' : 'client error');
  const detail = message && !/^Unknown(Error)?$/.test(message) ? `: ${message.split(/\r?\n/)[0]}` : '';
  return `HTTP ${status} (${hint}) without an IAM error code: the endpoint (a proxy, a firewall, a wrong URL?) did not answer as IAM${detail}`;
}

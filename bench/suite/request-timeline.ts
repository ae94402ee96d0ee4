import type * as http from 'node:http';

// The module object itself: an ES import of it is a namespace of getters, which cannot be replaced.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const nodeHttp = require('node:http') as typeof http;

/**
 * Bench-only request timelines (bench/fanout-timeline.ts): when each HTTP request of a process was sent and answered
 * (the client's side) or arrived and was answered (the emulator's side), in epoch milliseconds, so that the two
 * processes' records line up. Recording replaces node:http's request or createServer for the rest of the process.
 */
export interface ServerRequestRecord {
  /** The request reached the handler (after the server read its body: when the emulator began serving it). */
  readonly arrivedAt: number;
  readonly answeredAt: number;
  readonly action?: string;
  /** The request's JobId, or the JobId a Generate answered with. */
  readonly jobId?: string;
  readonly jobStatus?: string;
  readonly status: number;
}

export interface ClientRequestRecord {
  readonly sentAt: number;
  /** Headers of the answer read. */
  answeredAt?: number;
  /** Whole body of the answer read (the client parses it after). */
  readAt?: number;
  action?: string;
  jobId?: string;
  status?: number;
}

const now = (): number => performance.timeOrigin + performance.now();
const field = (text: string, pattern: RegExp): string | undefined => pattern.exec(text)?.[1];

/** Records every request the servers this process creates from now on answer. */
export function recordServerRequests(): ServerRequestRecord[] {
  const records: ServerRequestRecord[] = [];
  const create = nodeHttp.createServer;
  (nodeHttp as { createServer: unknown }).createServer = (...args: unknown[]) => {
    const handler = args.find((a): a is http.RequestListener => typeof a === 'function')!;
    return create((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => {
        if (body.length < 1000) body += chunk.toString('latin1');
      });
      let answer = '';
      const write = res.write.bind(res) as (chunk: unknown, ...rest: unknown[]) => boolean;
      (res as { write: unknown }).write = (chunk: unknown, ...rest: unknown[]) => {
        if (answer.length < 1000) answer += String(chunk).slice(0, 1000);
        return write(chunk, ...rest);
      };
      let arrivedAt = 0;
      req.on('end', () => (arrivedAt = now()));
      res.on('finish', () => {
        const jobId = field(body, /JobId=([^&]+)/) ?? field(answer, /<JobId>([^<]+)</);
        const action = field(body, /Action=([A-Za-z]+)/);
        const jobStatus = field(answer, /<JobStatus>([^<]+)</);
        records.push({ arrivedAt, answeredAt: now(), status: res.statusCode, ...(action ? { action } : {}), ...(jobId ? { jobId } : {}), ...(jobStatus ? { jobStatus } : {}) });
      });
      handler(req, res);
    });
  };
  return records;
}

/** Records every request this process sends with node:http from now on. */
export function recordClientRequests(): ClientRequestRecord[] {
  const records: ClientRequestRecord[] = [];
  const request = nodeHttp.request;
  (nodeHttp as { request: unknown }).request = (...args: unknown[]) => {
    const record: ClientRequestRecord = { sentAt: now() };
    records.push(record);
    const req = (request as (...a: unknown[]) => http.ClientRequest)(...args);
    const end = req.end.bind(req) as (...a: unknown[]) => http.ClientRequest;
    (req as { end: unknown }).end = (body?: unknown, ...rest: unknown[]) => {
      if (typeof body === 'string' || Buffer.isBuffer(body)) {
        const text = String(body);
        record.action = field(text, /Action=([A-Za-z]+)/);
        record.jobId = field(text, /JobId=([^&]+)/);
      }
      return end(body, ...rest);
    };
    req.on('response', (res: http.IncomingMessage) => {
      record.answeredAt = now();
      record.status = res.statusCode;
      res.on('end', () => (record.readAt = now()));
    });
    return req;
  };
  return records;
}

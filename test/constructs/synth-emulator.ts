import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { EmulatorMetrics, FaultSettings, JobSettings } from '../../src/emulator';
import { ADMIN_KEY } from './synth-world';

/** The synth-world emulator in a child process, with the RunningEmulator calls the tests need, over IPC. */
export interface EmulatorProcess {
  readonly endpoint: string;
  metrics(): Promise<EmulatorMetrics>;
  resetMetrics(): Promise<void>;
  setJobs(jobs: Partial<JobSettings>): Promise<void>;
  setFaults(faults: Partial<FaultSettings>): Promise<void>;
  close(): Promise<void>;
}

export async function startEmulatorProcess(): Promise<EmulatorProcess> {
  const child: ChildProcess = fork(join(__dirname, 'synth-emulator-child.ts'), [], {
    execArgv: ['-r', 'ts-node/register/transpile-only'],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const endpoint = await new Promise<string>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`emulator process exited with ${code}`)));
    child.once('message', (m: { ready?: string }) => (m.ready ? resolve(m.ready) : reject(new Error('bad hello'))));
  });
  child.removeAllListeners('exit');
  let next = 0;
  const call = <T>(op: string, arg?: unknown) =>
    new Promise<T>((resolve) => {
      const id = ++next;
      const onMessage = (m: { id?: number; result?: T }) => {
        if (m.id !== id) return;
        child.off('message', onMessage);
        resolve(m.result as T);
      };
      child.on('message', onMessage);
      child.send({ id, op, arg });
    });
  return {
    endpoint,
    metrics: () => call<EmulatorMetrics>('metrics'),
    resetMetrics: () => call<void>('resetMetrics'),
    setJobs: (jobs) => call<void>('setJobs', jobs),
    setFaults: (faults) => call<void>('setFaults', faults),
    close: async () => {
      if (child.exitCode !== null) return;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([call<void>('close'), new Promise((r) => (timer = setTimeout(r, 3000)))]);
      clearTimeout(timer);
      if (child.connected) child.disconnect();
      child.kill();
    },
  };
}

/** The worker child inherits these: credentials never go through props or the cache. */
export function useEmulatorCredentials(): () => void {
  const saved = { ...process.env };
  process.env.AWS_ACCESS_KEY_ID = ADMIN_KEY.id;
  process.env.AWS_SECRET_ACCESS_KEY = ADMIN_KEY.secret;
  process.env.AWS_REGION = 'us-east-1';
  delete process.env.AWS_PROFILE;
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.ACCESS_ADVISOR_LOOKUPS;
  delete process.env.ACCESS_ADVISOR_CACHE_FILE;
  return () => {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  };
}

/**
 * For a suite: the emulator process up and the worker's credentials in the environment before its tests, both
 * undone after them. Tests read the running emulator from `current`.
 */
export function useSynthEmulator(): { readonly current: EmulatorProcess } {
  const handle = {} as { current: EmulatorProcess };
  let restoreEnv: () => void = () => undefined;
  beforeAll(async () => {
    handle.current = await startEmulatorProcess();
    restoreEnv = useEmulatorCredentials();
  });
  afterAll(async () => {
    restoreEnv();
    await handle.current?.close();
  });
  return handle;
}

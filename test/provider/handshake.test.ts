import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { createServerCertificate } from '../../src/provider/tls-certificate';
import { MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE } from '../../src/provider/handshake';
import { alive, CLI, ROOT } from './support';

// The provider program as go-plugin's client sees it, without Terraform: the built program the installed launcher
// runs (dist/provider/provider-bundle.js, main.js bundled) started with the environment Terraform gives it. The client
// certificate here is our own stand-in for Terraform's.
const PROGRAM = join(ROOT, 'dist', 'provider', 'provider-bundle.js');
const health = grpc.loadPackageDefinition(protoLoader.loadSync('health.proto', { includeDirs: [join(ROOT, 'proto')], enums: String })) as unknown as {
  grpc: { health: { v1: { Health: grpc.ServiceClientConstructor } } };
};

interface Started {
  child: ChildProcess;
  line: string;
}

function start(env: NodeJS.ProcessEnv): Promise<Started> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [PROGRAM], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes('\n')) resolve({ child, line: stdout.split('\n')[0]! });
    });
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`provider exited ${code} before the handshake`)));
  });
}

function check(address: string, credentials: grpc.ChannelCredentials): Promise<string> {
  const client = new health.grpc.health.v1.Health(address, credentials, { 'grpc.ssl_target_name_override': 'localhost' });
  return new Promise((resolve, reject) => {
    client.waitForReady(Date.now() + 3_000, (readyError?: Error) => {
      if (readyError) {
        client.close();
        reject(readyError);
        return;
      }
      (client as unknown as { Check: (r: object, cb: (e: Error | null, r: { status: number | string }) => void) => void }).Check({ service: 'plugin' }, (error, response) => {
        client.close();
        if (error) reject(error);
        else resolve(String(response.status));
      });
    });
  });
}

const running: ChildProcess[] = [];
afterEach(() => {
  for (const child of running.splice(0)) child.kill('SIGKILL');
});

describe('the provider program (go-plugin handshake)', () => {
  beforeAll(() => {
    if (!existsSync(PROGRAM)) throw new Error('build first: npm run build');
  });

  it('without the magic cookie it says it is a plugin, prints nothing on stdout and exits 1', () => {
    const run = spawnSync(process.execPath, [PROGRAM], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/Terraform provider plugin .*Terraform starts it/);
  });

  it('refuses a client that does not offer protocol 6', () => {
    const run = spawnSync(process.execPath, [PROGRAM], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', [MAGIC_COOKIE_KEY]: MAGIC_COOKIE_VALUE, PLUGIN_PROTOCOL_VERSIONS: '4,5' },
    });
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/offered plugin protocol versions 4,5; this provider speaks version 6/);
  });

  it('AutoMTLS: serves TLS with the certificate of its handshake line and accepts only the client certificate Terraform passed', async () => {
    const terraformSide = await createServerCertificate();
    const stranger = await createServerCertificate();
    const { child, line } = await start({
      PATH: process.env.PATH ?? '',
      [MAGIC_COOKIE_KEY]: MAGIC_COOKIE_VALUE,
      PLUGIN_PROTOCOL_VERSIONS: '6,5',
      PLUGIN_MIN_PORT: '10000',
      PLUGIN_MAX_PORT: '25000',
      PLUGIN_CLIENT_CERT: terraformSide.certPem,
    });
    running.push(child);
    const fields = line.split('|');
    expect(fields.slice(0, 3)).toEqual(['1', '6', 'tcp']);
    expect(fields[4]).toBe('grpc');
    expect(fields[3]).toMatch(/^127\.0\.0\.1:\d+$/);
    const port = Number(fields[3]!.split(':')[1]);
    expect(port).toBeGreaterThanOrEqual(10000);
    expect(port).toBeLessThanOrEqual(25000);
    // base64 of DER without padding, as go-plugin's client decodes it.
    expect(fields[5]).toMatch(/^[A-Za-z0-9+/]+$/);
    const certificate = new X509Certificate(Buffer.from(fields[5]!, 'base64'));
    expect(certificate.subjectAltName).toMatch(/DNS:localhost/);
    expect(certificate.checkHost('localhost')).toBe('localhost');

    const serverRoot = Buffer.from(certificate.toString());
    const asTerraform = grpc.credentials.createSsl(serverRoot, Buffer.from(terraformSide.keyPem), Buffer.from(terraformSide.certPem));
    expect(await check(fields[3]!, asTerraform)).toBe('SERVING');

    // Anyone else is refused: no client certificate, a different one, or no TLS at all.
    const withoutClientCert = grpc.credentials.createSsl(serverRoot);
    await expect(check(fields[3]!, withoutClientCert)).rejects.toThrow();
    const asStranger = grpc.credentials.createSsl(serverRoot, Buffer.from(stranger.keyPem), Buffer.from(stranger.certPem));
    await expect(check(fields[3]!, asStranger)).rejects.toThrow();
    await expect(check(fields[3]!, grpc.credentials.createInsecure())).rejects.toThrow();
    // A client that trusts another certificate than the handshake's does not connect either.
    const wrongRoot = grpc.credentials.createSsl(Buffer.from(stranger.certPem), Buffer.from(terraformSide.keyPem), Buffer.from(terraformSide.certPem));
    await expect(check(fields[3]!, wrongRoot)).rejects.toThrow();
  }, 60_000);

  it('ends when its parent (Terraform) is gone without a Shutdown', async () => {
    // A shell parent that exits right after starting the provider in the background: the provider is orphaned.
    const script = `"${process.execPath}" "${PROGRAM}" & echo $!; sleep 1`;
    const run = spawnSync('sh', ['-c', script], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', [MAGIC_COOKIE_KEY]: MAGIC_COOKIE_VALUE },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 20_000,
    });
    const pid = Number(run.stdout.split('\n')[0]);
    expect(pid).toBeGreaterThan(0);
    const deadline = Date.now() + 5_000;
    while (Date.now() < deadline && alive(pid)) await new Promise((r) => setTimeout(r, 100));
    expect(alive(pid)).toBe(false);
  }, 30_000);
});

describe('access-advisor provider install', () => {
  const home = mkdtempSync(join(tmpdir(), 'aa-install-home-'));
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  it("writes an executable launcher that execs node on the provider into the user's implied local mirror", () => {
    const run = spawnSync(process.execPath, [CLI, 'provider', 'install'], { encoding: 'utf8', env: { ...process.env, HOME: home } });
    expect(run.status).toBe(0);
    const result = JSON.parse(run.stdout) as { executable: string; source: string; version: string; platform: string };
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(result.source).toBe('local.invalid/cdktf-access-advisor/accessadvisor');
    expect(result.executable).toBe(
      join(home, '.terraform.d', 'plugins', 'local.invalid', 'cdktf-access-advisor', 'accessadvisor', version, result.platform, `terraform-provider-accessadvisor_v${version}`),
    );
    expect(statSync(result.executable).mode & 0o111).toBe(0o111);
    const launcher = readFileSync(result.executable, 'utf8');
    expect(launcher.split('\n')[0]).toBe('#!/bin/sh');
    expect(launcher).toContain(`exec '${process.execPath}' '${join(ROOT, 'dist', 'provider', 'provider-bundle.js')}' "$@"`);
  });

  it('a directory that cannot take the launcher is an input error (exit 2), one line', () => {
    const file = join(home, 'a-file');
    writeFileSync(file, 'x');
    const run = spawnSync(process.execPath, [CLI, 'provider', 'install', '--dir', file], { encoding: 'utf8' });
    expect(run.status).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/--dir ".*a-file"/);
  });
});

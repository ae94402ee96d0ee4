import * as grpc from '@grpc/grpc-js';
import { createServerCertificate } from './tls-certificate';

/** Terraform's magic cookie for providers: a constant of Terraform's plugin client, checked as go-plugin does. */
export const MAGIC_COOKIE_KEY = 'TF_PLUGIN_MAGIC_COOKIE';
export const MAGIC_COOKIE_VALUE = 'd602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2';
export const CORE_PROTOCOL_VERSION = 1;
export const PROVIDER_PROTOCOL_VERSION = 6;

export const NOT_A_COMMAND =
  'This program is a Terraform provider plugin (accessadvisor): Terraform starts it. Run terraform init/plan in a ' +
  'configuration that uses the provider instead of running it directly.';

export class HandshakeError extends Error {}

/** Refuses to start outside Terraform (no magic cookie) or for a client that does not speak protocol 6. */
export function checkEnvironment(env: NodeJS.ProcessEnv): void {
  if (env[MAGIC_COOKIE_KEY] !== MAGIC_COOKIE_VALUE) throw new HandshakeError(NOT_A_COMMAND);
  const versions = env['PLUGIN_PROTOCOL_VERSIONS'];
  if (versions && !versions.split(',').map((v) => v.trim()).includes(String(PROVIDER_PROTOCOL_VERSION))) {
    throw new HandshakeError(
      `Terraform offered plugin protocol versions ${versions}; this provider speaks version ${PROVIDER_PROTOCOL_VERSION} (Terraform 1.0 or later).`,
    );
  }
}

export interface Transport {
  readonly credentials: grpc.ServerCredentials;
  /** Last field of the handshake line: our certificate (DER, base64 without padding), or '' without TLS. */
  readonly certificateField: string;
}

/**
 * go-plugin's automatic mutual TLS: Terraform passes its client certificate in PLUGIN_CLIENT_CERT (PEM); the
 * provider serves TLS with a certificate of its own, named in the handshake, and accepts only clients that present
 * Terraform's certificate. Without PLUGIN_CLIENT_CERT (a client with TLS turned off) the connection is plain, as
 * go-plugin's own servers do.
 */
export async function transportFor(env: NodeJS.ProcessEnv): Promise<Transport> {
  const clientCert = env['PLUGIN_CLIENT_CERT'];
  if (!clientCert) return { credentials: grpc.ServerCredentials.createInsecure(), certificateField: '' };
  const server = await createServerCertificate();
  return {
    credentials: grpc.ServerCredentials.createSsl(Buffer.from(clientCert), [{ private_key: Buffer.from(server.keyPem), cert_chain: Buffer.from(server.certPem) }], true),
    certificateField: server.handshakeField,
  };
}

/** The port range Terraform allows (PLUGIN_MIN_PORT..PLUGIN_MAX_PORT), else any free port. */
export function portCandidates(env: NodeJS.ProcessEnv, random: () => number = Math.random): number[] {
  const min = Number(env['PLUGIN_MIN_PORT']);
  const max = Number(env['PLUGIN_MAX_PORT']);
  if (!Number.isInteger(min) || !Number.isInteger(max) || min <= 0 || max < min || max > 65_535) return [0];
  const count = Math.min(20, max - min + 1);
  const ports = new Set<number>();
  while (ports.size < count) ports.add(min + Math.floor(random() * (max - min + 1)));
  return [...ports];
}

export function bind(server: grpc.Server, port: number, credentials: grpc.ServerCredentials): Promise<number> {
  return new Promise((resolve, reject) => server.bindAsync(`127.0.0.1:${port}`, credentials, (error, bound) => (error ? reject(error) : resolve(bound))));
}

export function handshakeLine(port: number, certificateField: string): string {
  return `${CORE_PROTOCOL_VERSION}|${PROVIDER_PROTOCOL_VERSION}|tcp|127.0.0.1:${port}|grpc|${certificateField}\n`;
}

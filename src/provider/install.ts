import { chmodSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { writeFileAtomicSync } from '../resolve/atomic-write';

/**
 * Where Terraform finds this provider without a registry. The host `local.invalid` uses the `.invalid` top-level
 * domain, which is reserved never to resolve: the address cannot collide with, or be taken over through, a real
 * registry (registry.terraform.io's `hashicorp/…` or anyone's), and Terraform never tries to reach it because the
 * provider is found in a local mirror first.
 */
export const PROVIDER_HOST = 'local.invalid';
export const PROVIDER_NAMESPACE = 'cdktf-access-advisor';
export const PROVIDER_TYPE = 'accessadvisor';
export const PROVIDER_SOURCE = `${PROVIDER_HOST}/${PROVIDER_NAMESPACE}/${PROVIDER_TYPE}`;

/** Terraform's platform name for this machine (linux_amd64, darwin_arm64, …). */
export function terraformPlatform(platform: string = process.platform, arch: string = process.arch): string {
  const os = platform === 'win32' ? 'windows' : platform;
  const cpu = ({ x64: 'amd64', ia32: '386', arm64: 'arm64', arm: 'arm' } as Record<string, string>)[arch] ?? arch;
  return `${os}_${cpu}`;
}

/** The user's implied local mirror: the directory `terraform init` searches without any CLI configuration. */
export function defaultPluginDirectory(home: string = homedir()): string {
  return join(home, '.terraform.d', 'plugins');
}

export interface InstallResult {
  readonly source: string;
  readonly version: string;
  readonly pluginDirectory: string;
  /** The launcher Terraform runs. */
  readonly executable: string;
  readonly platform: string;
}

export interface InstallOptions {
  /** A plugin directory (e.g. `terraform.d/plugins` of one configuration); default ~/.terraform.d/plugins. */
  readonly dir?: string;
  readonly version: string;
  /** The node binary the launcher runs (default: the one running now). */
  readonly nodePath?: string;
  /** The provider program (default: this package's dist/provider/provider-bundle.js, main.js bundled for a fast start). */
  readonly programPath?: string;
}

export class InstallError extends Error {}

/** The provider program the launcher runs: main.js and its start path in one file (scripts/bundle-provider.js). */
export const PROVIDER_BUNDLE = 'provider-bundle.js';

/**
 * Writes the launcher `terraform-provider-accessadvisor_v<version>` into the mirror layout
 * HOST/NAMESPACE/TYPE/VERSION/OS_ARCH/. It `exec`s node on this package's provider program, so the process
 * Terraform starts (and kills) is node itself, not a shell waiting for it.
 */
export function installProvider(options: InstallOptions): InstallResult {
  if (process.platform === 'win32') {
    throw new InstallError('provider install writes a POSIX shell launcher; on Windows, use WSL (Terraform there needs an .exe plugin)');
  }
  const pluginDirectory = resolve(options.dir ?? defaultPluginDirectory());
  const platform = terraformPlatform();
  const directory = join(pluginDirectory, PROVIDER_HOST, PROVIDER_NAMESPACE, PROVIDER_TYPE, options.version, platform);
  const executable = join(directory, `terraform-provider-${PROVIDER_TYPE}_v${options.version}`);
  mkdirSync(directory, { recursive: true });
  writeFileAtomicSync(executable, launcherScript(options.nodePath ?? process.execPath, options.programPath ?? join(__dirname, PROVIDER_BUNDLE)));
  chmodSync(executable, 0o755);
  return { source: PROVIDER_SOURCE, version: options.version, pluginDirectory, executable, platform };
}

export function launcherScript(nodePath: string, programPath: string): string {
  return [
    '#!/bin/sh',
    '# The accessadvisor Terraform provider (cdktf-access-advisor): written by `access-advisor provider install`.',
    '# exec: Terraform talks to, and stops, node itself.',
    `exec ${shellQuote(nodePath)} ${shellQuote(programPath)} "$@"`,
    '',
  ].join('\n');
}

function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

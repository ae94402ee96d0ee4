#!/usr/bin/env node
// Terraform's process id, read first: loading the gRPC and AWS libraries takes long enough for a parent to be gone
// already, and the provider must notice when it is (see serve.ts).
const parent = process.ppid;

(require('./serve') as typeof import('./serve')).serve(parent).catch((error: unknown) => {
  process.stderr.write(`accessadvisor provider: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});

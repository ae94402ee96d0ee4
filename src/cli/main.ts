#!/usr/bin/env node
import { buildProgram } from './program';

buildProgram()
  .parseAsync(process.argv)
  .catch((error: unknown) => {
    process.stderr.write(`access-advisor: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  });

#!/usr/bin/env node
// Entry point of the CLI: npm run -s cli -- <command> ...
import { run } from './run.js';

// Output piped into `head` and closed early is not an error.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});

process.exitCode = await run(process.argv.slice(2));

#!/usr/bin/env node
// Entry point of the CLI: npm run -s cli -- <command> ...
import { run } from './run.js';

process.exitCode = await run(process.argv.slice(2));

import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Transpiles src/ once, so child processes run plain Node (test/helpers/cli.ts); starts one PostgreSQL server for
    // the run, whose database the store tests use as their second engine (test/helpers/stores.ts).
    globalSetup: ['test/setup/build.ts', 'test/setup/postgres.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // A worker keeps the modules it loaded from one test file to the next (importing src/ anew for each of 66 files
    // took 40-60 s of the run). So no module may hold state that belongs to one test's setup: caches hang off the
    // objects they serve (users.info per Web API client, term statistics per catalogue). Checked with shuffled file
    // orders (--sequence.shuffle.files): 64-71 s for the suite instead of 98-120 s.
    isolate: false,
    // Vitest's default (one worker fewer than the cores) runs one file at a time on a 2-core machine; most files wait
    // on child processes and I/O, so more at once: the suite took 217 s with one worker and 151 s with two (same
    // load); later, 104-115 s with two and 98-104 s with three on 2 cores (2026-11-29).
    maxWorkers: Math.max(3, availableParallelism()),
    // Most store, Slack and digest tests were written against the 2013-edition SoA (121 lines) and still cover it.
    // The 2022 edition (the default for a new store) has its own tests, which set ISMS_SOA_EDITION or
    // defaultEdition explicitly; test/soa-edition.test.ts checks that an unset variable means 2022.
    env: { ISMS_SOA_EDITION: '2013' },
  },
});

import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('../..', import.meta.url));

/**
 * The CLI as a child process runs it: `node <entry>`, on the sources transpiled once by test/setup/build.ts (plain
 * Node, no tsx in each child), or through tsx when a test file runs without that setup.
 */
export function nodeArgs(entry: string): string[] {
  const built = process.env.ISMS_TEST_BUILD;
  return built ? [join(built, entry.replace(/\.ts$/, '.js'))] : ['--import', 'tsx', entry];
}

/** Runs the real CLI in a child process, as `npm run -s cli -- ...` does. */
export function cli(args: string[], env: Record<string, string> = {}, input?: string) {
  const r = spawnSync(process.execPath, [...nodeArgs('src/cli/main.ts'), ...args], {
    cwd: root,
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    encoding: 'utf8',
    input,
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

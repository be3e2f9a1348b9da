// Vitest global setup: transpiles src/ once per run (esbuild, no type check: `npm run typecheck` does that) into
// node_modules/.cache/isms-test-build-<pid>/src, so that tests which run the CLI or the app in a child process start plain
// Node on JavaScript instead of compiling TypeScript with tsx in every child. The package root (corpus/, prompts/) is
// still found from there, and so is node_modules. Children get the path as ISMS_TEST_BUILD.
import { readdirSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';

const root = fileURLToPath(new URL('../..', import.meta.url));
/** One folder per run (two runs at once must not delete each other's build); removed when the run ends. */
const buildDir = join(root, 'node_modules', '.cache', `isms-test-build-${process.pid}`);

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

export default function setup(): () => void {
  const t = performance.now();
  rmSync(buildDir, { recursive: true, force: true });
  const entryPoints = sources(join(root, 'src'));
  buildSync({ entryPoints, outdir: join(buildDir, 'src'), outbase: join(root, 'src'), format: 'esm', platform: 'node', target: 'node20', sourcemap: 'inline', logLevel: 'error' });
  process.env.ISMS_TEST_BUILD = buildDir;
  process.stderr.write(`test build: ${entryPoints.length} files of ${relative(root, join(root, 'src'))}/ transpiled in ${(performance.now() - t).toFixed(0)} ms\n`);
  return () => rmSync(buildDir, { recursive: true, force: true });
}

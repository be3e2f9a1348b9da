// npm run bench:startup — start-up of the commands users run, each timed as a whole process in turn with `node -e 0`
// (the same-run baseline), BENCH_RUNS times (default 11) after one warm-up; medians and the median of the per-pair
// ratios. Also times npm's own floor: `npm run -s` of a script that only runs `node -e 0`.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median, root, table } from './common.js';

const runs = Number(process.env.BENCH_RUNS ?? 11);
const entry = join(root, 'dist', 'src', 'main.js');
if (!existsSync(entry)) throw new Error(`${entry} not found: run npm run build first`);

const dataDir = mkdtempSync(join(tmpdir(), 'bench-startup-'));
const floor = mkdtempSync(join(tmpdir(), 'bench-npm-floor-'));
writeFileSync(join(floor, 'package.json'), JSON.stringify({ name: 'npm-floor', private: true, scripts: { floor: 'node -e 0' } }));
const env = { ...process.env, ISMS_DATA_DIR: dataDir, EMBEDDINGS: 'off', LOG_LEVEL: 'error' };

interface Command { label: string; cmd: string; args: string[]; cwd?: string }
const commands: Command[] = [
  { label: 'console chat to its greeting and out (`node dist/src/main.js </dev/null`, what `npm start` runs)', cmd: process.execPath, args: [entry] },
  { label: '`npm run -s cli -- help`', cmd: 'npm', args: ['run', '-s', 'cli', '--', 'help'] },
  { label: '`node dist/src/cli/main.js help`', cmd: process.execPath, args: [join(root, 'dist', 'src', 'cli', 'main.js'), 'help'] },
  { label: "npm's own floor: `npm run -s` of a script that only runs `node -e 0`", cmd: 'npm', args: ['run', '-s', 'floor'], cwd: floor },
];

const devNull = openSync('/dev/null', 'r');
function time(c: Command): number {
  const t = performance.now();
  const r = spawnSync(c.cmd, c.args, { cwd: c.cwd ?? root, env, stdio: [devNull, 'ignore', 'ignore'] });
  if (r.status !== 0) throw new Error(`${c.cmd} ${c.args.join(' ')} exited with ${r.status}`);
  return performance.now() - t;
}
const baseline: Command = { label: 'node -e 0', cmd: process.execPath, args: ['-e', '0'] };

const rows: [string, string][] = [];
for (const c of commands) {
  time(c);
  time(baseline);
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < runs; i++) {
    a.push(time(c));
    b.push(time(baseline));
  }
  const ratio = median(a.map((x, i) => x / b[i]!));
  rows.push([c.label, `${(median(a) / 1000).toFixed(3)} s vs ${(median(b) / 1000).toFixed(3)} s = ×${ratio.toFixed(2)}`]);
  process.stderr.write(`${c.label}: ×${ratio.toFixed(2)}\n`);
}
rmSync(dataDir, { recursive: true, force: true });
rmSync(floor, { recursive: true, force: true });
console.log(table(rows, `wall time of the whole process, in turn with \`node -e 0\`; medians of ${runs} runs after one warm-up, the ratio is the median of the per-pair ratios`));

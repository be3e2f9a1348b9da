// npm run bench:store — SoA store timings: 10,000 decision writes (one transaction each, and as one batch),
// an XLSX export of the full SoA, CSV and Markdown exports, and a full audit verify. Prints a Markdown table.
// BENCH_WRITES sets the number of writes (default 10000).
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCatalog } from '../src/catalog/catalog.js';
import { Store, type DecisionInput } from '../src/soa/index.js';

const n = Number(process.env.BENCH_WRITES ?? 10_000);
const rows: [string, string][] = [];
const row = (k: string, v: string) => {
  rows.push([k, v]);
  process.stderr.write(`${k}: ${v}\n`);
};
const ms = (x: number) => `${x.toFixed(0)} ms`;
const time = async <T>(fn: () => T | Promise<T>): Promise<[T, number]> => {
  const t = performance.now();
  const r = await fn();
  return [r, performance.now() - t];
};

const catalog = loadCatalog();
const controls = catalog.controls();
const decision = (i: number): DecisionInput => ({
  control: controls[i % controls.length]!.id, applicable: i % 10 === 0 ? 'no' : 'yes', status: 'implemented',
  justification: i % 10 === 0 ? 'excluded for the benchmark' : undefined, reasons: i % 10 === 0 ? [] : ['business:benchmark'],
  owner: `owner-${i}`, evidence: [`doc-${i}`], by: 'bench',
});

const dir = mkdtempSync(join(tmpdir(), 'bench-store-'));
const store = new Store(join(dir, 'isms.sqlite'), { catalog, approvers: ['bench'] });
store.profile.set({ scope: 'Benchmark SaaS on AWS', services: [{ name: 'Benchmark SaaS', role: 'provider', model: 'SaaS', runsOn: 'AWS' }], by: 'bench' });

// A realistic SoA first: one approved decision per control.
let [, t] = await time(() => store.soa.setMany(controls.map((_, i) => decision(i))));
row('121 decisions (one per control) as one batch', ms(t));
[, t] = await time(() => store.exportSoa('xlsx', join(dir, 'soa-121.xlsx')));
row('XLSX export of the full SoA (121 controls, one decision each)', `${ms(t)} (${(statSync(join(dir, 'soa-121.xlsx')).size / 1024).toFixed(0)} KiB)`);

[, t] = await time(() => {
  for (let i = 0; i < n; i++) store.soa.set(decision(i));
});
row(`${n.toLocaleString('en')} decision writes, one transaction each (decision + approval + 2 audit entries, fsync per commit)`, `${ms(t)} (${(n / (t / 1000)).toFixed(0)} writes/s)`);

[, t] = await time(() => store.soa.setMany(Array.from({ length: n }, (_, i) => decision(i + n))));
row(`${n.toLocaleString('en')} decision writes as one batch transaction`, ms(t));

for (const format of ['xlsx', 'csv', 'md'] as const) {
  const file = join(dir, `soa.${format}`);
  [, t] = await time(() => store.exportSoa(format, file));
  const what = format === 'xlsx' ? `, with a history sheet of ${(2 * n + 121).toLocaleString('en')} decisions` : '';
  row(`${format.toUpperCase()} export of the full SoA after those writes${what}`, `${ms(t)} (${(statSync(file).size / 1024).toFixed(0)} KiB)`);
}

const [verified, tv] = await time(() => store.verifyAudit());
row(`audit verify (${verified.entries.toLocaleString('en')} entries, every row re-hashed)`, `${ms(tv)} (${verified.ok ? 'ok' : 'BROKEN'})`);
row('database size', `${(statSync(store.file).size / 1024 / 1024).toFixed(1)} MiB (+ WAL)`);
store.close();
rmSync(dir, { recursive: true, force: true });

process.stdout.write(`\n| Measure | Result |\n|---|---|\n${rows.map(([k, v]) => `| ${k} | ${v} |`).join('\n')}\n\nNode ${process.version}, ${process.platform}/${process.arch}\n`);

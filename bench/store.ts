// npm run bench:store — the SoA store against raw better-sqlite3 in the same run: N decisions (each an approved
// decision: the decision row, its review and two audit entries) written one transaction each and as one batch, by the
// store and by plain prepared INSERTs of the same rows with the same pragmas (one transaction each: the two take turns,
// 500 writes at a time); then the XLSX export of a store with 2 × N history rows and a full audit verify. Every figure is the median of 3 runs. BENCH_WRITES sets N (default 10000).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { loadCatalog } from '../src/catalog/loader.js';
import { migrate } from '../src/soa/db.js';
import { Store, type DecisionInput } from '../src/soa/index.js';
import { migrate as migratePg, pool } from '../src/soa/pg/db.js';
import { PgDb } from '../src/soa/pg/engine.js';
import { postgresAvailable, startPostgres } from '../test/helpers/postgres.js';
import { median, table } from './common.js';

const n = Number(process.env.BENCH_WRITES ?? 10_000);
const runs = 3;
const catalog = loadCatalog();
const controls = catalog.annex2022().map((c) => c.id);
const decision = (i: number): DecisionInput => ({
  control: controls[i % controls.length]!, applicable: i % 10 === 0 ? 'no' : 'yes', status: i % 10 === 0 ? 'not-implemented' : 'implemented',
  justification: i % 10 === 0 ? 'excluded for the benchmark: no such activity in scope' : undefined, reasons: i % 10 === 0 ? [] : ['business:benchmark'],
  owner: `owner-${i}`, evidence: [`doc-${i}`], by: 'bench',
});

const fresh = () => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-store-'));
  const store = new Store(join(dir, 'isms.sqlite'), { catalog, approvers: ['bench'], defaultEdition: '2022' });
  return { dir, store };
};

/** The same rows as the store writes, by plain prepared statements on the same schema and pragmas. */
function rawWriter() {
  const dir = mkdtempSync(join(tmpdir(), 'bench-raw-'));
  const db = new Database(join(dir, 'raw.sqlite'));
  for (const p of ['busy_timeout = 10000', 'journal_mode = WAL', 'synchronous = FULL', 'foreign_keys = ON']) db.pragma(p);
  migrate(db);
  const dec = db.prepare(`INSERT INTO decisions (control_id, applicable, reasons, status, justification, owner, evidence, proposed_by, proposed_at, source)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'cli')`);
  const rev = db.prepare("INSERT INTO reviews (decision_id, verdict, reviewed_by, reviewed_at) VALUES (?, 'approved', ?, ?)");
  const log = db.prepare('INSERT INTO audit_log (seq, at, actor, action, subject, data, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
  let seq = 0;
  const one = (i: number) => {
    const d = decision(i);
    const at = new Date().toISOString();
    const id = Number(dec.run(d.control, d.applicable === 'yes' ? 1 : 0, JSON.stringify(d.reasons), d.status, d.justification ?? null, d.owner, JSON.stringify(d.evidence), d.by, at).lastInsertRowid);
    const h = '0'.repeat(64);
    log.run(++seq, at, d.by, 'soa.set', d.control, '{}', h, h);
    rev.run(id, d.by, at);
    log.run(++seq, at, d.by, 'soa.approve', d.control, '{}', h, h);
  };
  return {
    dir, db,
    each: (from: number, to: number) => { for (let i = from; i < to; i++) db.transaction(() => one(i)).immediate(); },
    batch: (k: number) => db.transaction(() => { for (let i = 0; i < k; i++) one(i); }).immediate(),
  };
}

const time = async (fn: () => unknown) => {
  const t = performance.now();
  await fn();
  return performance.now() - t;
};

/**
 * Counts and times the store's integrity checks (PRAGMA quick_check): the first write after the file changed on disk
 * checks it, and in WAL mode the file changes at every checkpoint, so a long run of writes checks it every ~1,000 pages.
 */
function countChecks(store: Store): { checks: number; ms: number } {
  const seen = { checks: 0, ms: 0 };
  const pragma = store.db.pragma.bind(store.db);
  store.db.pragma = (source: string, options?: Database.PragmaOptions) => {
    if (source !== 'quick_check') return pragma(source, options);
    const t = performance.now();
    try {
      return pragma(source, options);
    } finally {
      seen.checks++;
      seen.ms += performance.now() - t;
    }
  };
  return seen;
}

const results: Record<string, number[]> = { storeEach: [], rawEach: [], storeBatch: [], rawBatch: [], xlsx: [], verify: [], checks: [], checkMs: [] };
let historyRows = 0;
for (let r = 0; r < runs; r++) {
  process.stderr.write(`run ${r + 1}/${runs}\n`);
  {
    // One fsync per write: the disk's speed drifts while other work runs, so the two writers take turns, 500 writes
    // at a time (each going first every other turn), and each one's turns are added up.
    const raw = rawWriter();
    const { dir, store } = fresh();
    const checks = countChecks(store);
    let rawMs = 0;
    let storeMs = 0;
    for (let from = 0, turn = 0; from < n; from += 500, turn++) {
      const to = Math.min(n, from + 500);
      const rawTurn = () => time(() => raw.each(from, to));
      const storeTurn = () => time(async () => { for (let i = from; i < to; i++) await store.soa.set(decision(i)); });
      if (turn % 2) {
        storeMs += await storeTurn();
        rawMs += await rawTurn();
      } else {
        rawMs += await rawTurn();
        storeMs += await storeTurn();
      }
    }
    results.rawEach!.push(rawMs);
    results.storeEach!.push(storeMs);
    results.checks!.push(checks.checks);
    results.checkMs!.push(checks.ms);
    await store.close();
    raw.db.close();
    rmSync(dir, { recursive: true, force: true });
    rmSync(raw.dir, { recursive: true, force: true });
  }
  {
    const raw = rawWriter();
    results.rawBatch!.push(await time(() => raw.batch(n)));
    const { dir, store } = fresh();
    results.storeBatch!.push(await time(async () => await store.soa.setMany(Array.from({ length: n }, (_, i) => decision(i)))));
    // The export of a store with 2 × N history rows.
    await store.soa.setMany(Array.from({ length: n }, (_, i) => decision(i + n)));
    historyRows = (await store.soa.snapshot(await store.profileRoles())).history.length;
    results.xlsx!.push(await time(() => store.exportSoa('xlsx', join(dir, 'soa.xlsx'), { draft: true })));
    results.verify!.push(await time(async () => await store.verifyAudit()));
    await store.close();
    raw.db.close();
    rmSync(dir, { recursive: true, force: true });
    rmSync(raw.dir, { recursive: true, force: true });
  }
}
const m = (k: string) => median(results[k]!);
const ms = (x: number) => `${x.toFixed(0)} ms`;
const rows: [string, string][] = [
  [`${n.toLocaleString('en')} approved decisions, one fsynced transaction each: store / raw SQLite`, `${ms(m('storeEach'))} / ${ms(m('rawEach'))} = ×${(m('storeEach') / m('rawEach')).toFixed(2)}`],
  ['  of the store\'s time: integrity checks after the file changed on disk (WAL checkpoints)', `${m('checks').toFixed(0)} checks, ${ms(m('checkMs'))}; store without them ×${((m('storeEach') - m('checkMs')) / m('rawEach')).toFixed(2)}`],
  [`${n.toLocaleString('en')} approved decisions as one batch: store / raw SQLite`, `${ms(m('storeBatch'))} / ${ms(m('rawBatch'))} = ×${(m('storeBatch') / m('rawBatch')).toFixed(2)}`],
  [`XLSX export (draft) with ${historyRows.toLocaleString('en')} history rows`, ms(m('xlsx'))],
  ['the same, first export in the process (includes loading the exceljs writer)', ms(results.xlsx![0]!)],
  [`audit verify of ${(4 * n).toLocaleString('en')} entries`, ms(m('verify'))],
];
console.log(table(rows, `medians of ${runs} runs; raw SQLite writes the same rows (decision, review, 2 audit entries) with the same pragmas`));

// PostgreSQL: the same Store (its checks, versions, people and chain) on a throwaway server with fsync on, as a real
// one runs, connected as the application role.
if (!postgresAvailable()) throw new Error('PostgreSQL server binaries not found (initdb, pg_ctl): apt-get install postgresql, or set PG_BIN');
const server = await startPostgres({ durable: true });
const admin = pool(server.url, 1);
await admin.query('CREATE ROLE isms_app LOGIN');
const appPool = pool(server.url.replace('postgres@', 'isms_app@'), 4);
try {
  await migratePg(admin, { appRole: 'isms_app' });
  // The same Store as SQLite's, on PostgreSQL as the application role: row-level security, a workspace per run.
  const pgStore = (ws: string) => new Store(new PgDb(appPool, ws), { catalog, approvers: ['bench'], defaultEdition: '2022' });
  const pg: Record<string, number[]> = { each: [], batch: [], verify: [] };
  for (let r = 0; r < runs; r++) {
    process.stderr.write(`PostgreSQL run ${r + 1}/${runs}\n`);
    const each = pgStore(`each-${r}`);
    pg.each!.push(await time(async () => { for (let i = 0; i < n; i++) await each.soa.set(decision(i)); }));
    const batch = pgStore(`batch-${r}`);
    pg.batch!.push(await time(() => batch.soa.setMany(Array.from({ length: n }, (_, i) => decision(i)))));
    let ok = false;
    pg.verify!.push(await time(async () => { ok = (await batch.verifyAudit()).ok; }));
    if (!ok) throw new Error(`the PostgreSQL chain of batch-${r} does not verify`);
  }
  const p = (k: string) => median(pg[k]!);
  const perSec = (msTotal: number) => `${Math.round(n / (msTotal / 1000)).toLocaleString('en')} decisions/s`;
  console.log(table([
    [`${n.toLocaleString('en')} approved decisions, one transaction each: SQLite / PostgreSQL`, `${ms(m('storeEach'))} (${perSec(m('storeEach'))}) / ${ms(p('each'))} (${perSec(p('each'))})`],
    [`${n.toLocaleString('en')} approved decisions as one batch: SQLite / PostgreSQL`, `${ms(m('storeBatch'))} (${perSec(m('storeBatch'))}) / ${ms(p('batch'))} (${perSec(p('batch'))})`],
    [`audit verify of ${(4 * n).toLocaleString('en')} entries: SQLite / PostgreSQL`, `${ms(m('verify'))} / ${ms(p('verify'))}`],
  ], `medians of ${runs} runs; the same Store on both engines; PostgreSQL ${(await admin.query<{ server_version: string }>('SHOW server_version')).rows[0]!.server_version} on 127.0.0.1 with fsync on, as the application role (row-level security, one workspace per run), one connection writing at a time; the SQLite figures are from the runs above`));
} finally {
  await appPool.end();
  await admin.end();
  server.stop();
}

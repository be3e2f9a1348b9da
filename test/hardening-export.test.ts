// Issue 14, item 1: `soa export --out` (and `digest --chart`) never overwrite the database: not the file itself, not its
// WAL or SHM, not through `..`, a symlink (of the file or of its folder) or a hard link, and no other SQLite database.
// The store stays byte for byte the same and its audit chain verifies.
import { createHash } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { run } from '../src/cli/run.js';
import { verifyFile, type Store } from '../src/soa/index.js';
import { cli } from './helpers/cli.js';
import { tempDir, tempStore } from './fixtures/soa-helpers.js';

const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

let dir: string;
let file: string;
let store: Store;
let chain: Awaited<ReturnType<typeof verifyFile>>;
const other = tempDir();

beforeAll(async () => {
  // A store held open, as the running bot holds it: its WAL and SHM files exist.
  ({ dir, file, store } = tempStore({ approvers: ['carol'] }));
  await store.soa.set({ control: '12.3.1', applicable: true, status: 'implemented', by: 'carol' });
  await store.soa.set({ control: '11.1.1', applicable: false, status: 'not-implemented', justification: 'SaaS only: no premises of our own', by: 'alice' });
  expect(existsSync(`${file}-wal`) && existsSync(`${file}-shm`)).toBe(true);
  chain = await verifyFile(file);
  expect(chain.ok).toBe(true);
  process.env.ISMS_DATA_DIR = dir;
});
afterAll(async () => await store.close());

/** Runs the CLI in this process (the same code as `npm run cli`), returning its exit code and what it printed on stderr. */
async function runCli(args: string[]): Promise<{ code: number; stderr: string }> {
  let stderr = '';
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => {
    stderr += String(s);
    return true;
  });
  try {
    return { code: await run(args, () => {}), stderr };
  } finally {
    spy.mockRestore();
  }
}

it('refuses `soa export --out` the database itself (as the attack did it), and the store is unchanged', async () => {
  const before = [sha(file), sha(`${file}-wal`)];
  const r = cli(['soa', 'export', '--format', 'csv', '--out', file], { ISMS_DATA_DIR: dir });
  expect(r.code).toBe(1);
  expect(r.stderr).toBe(`error: out: ${file} is the database file ${file}. Choose another file name: an export never overwrites the store. Nothing was written\n`);
  expect([sha(file), sha(`${file}-wal`)]).toEqual(before);
  expect(existsSync(`${file}-shm`)).toBe(true);
  expect(await verifyFile(file)).toEqual(chain);
});

it('refuses its WAL and SHM files, `..`, symlinks to the file or its folder, a hard link, and any other SQLite database', async () => {
  const before = [sha(file), sha(`${file}-wal`), sha(`${file}-shm`)];
  mkdirSync(join(dir, 'sub'));
  symlinkSync(file, join(other, 'link.csv'));
  symlinkSync(dir, join(other, 'data-link'));
  symlinkSync(join(other, 'link.csv'), join(other, 'link-to-link.xlsx'));
  linkSync(file, join(other, 'hard.csv'));
  const attempts: [string, RegExp][] = [
    [`${file}-wal`, /is the database file .*isms\.sqlite-wal/],
    [`${file}-shm`, /is the database file .*isms\.sqlite-shm/],
    [join(dir, 'sub', '..', 'isms.sqlite'), /is the database file/],
    [join(other, 'link.csv'), /is the database file/],
    [join(other, 'link-to-link.xlsx'), /is the database file/],
    [join(other, 'data-link', 'isms.sqlite'), /is the database file/],
    [join(other, 'data-link', 'isms.sqlite-wal'), /is the database file .*-wal/],
    [join(other, 'hard.csv'), /is the database file/],
    [join(dir, 'chat.sqlite'), /is an SQLite database file/],
  ];
  // chat.sqlite: the bot's other database in the data folder.
  const { ChatState } = await import('../src/chat/state.js');
  await new ChatState(dir).close();
  for (const [out, why] of attempts) {
    const r = await runCli(['soa', 'export', '--format', 'csv', '--out', out]);
    expect(r.code, out).toBe(1);
    expect(r.stderr, out).toMatch(why);
    expect(r.stderr.trim().split('\n'), out).toHaveLength(1);
  }
  // The digest's chart goes through the same check.
  const chart = await runCli(['digest', '--preview', '--chart', join(other, 'data-link', 'isms.sqlite')]);
  expect(chart.code).toBe(1);
  expect(chart.stderr).toMatch(/is the database file/);
  expect([sha(file), sha(`${file}-wal`), sha(`${file}-shm`)]).toEqual(before);
  expect(await verifyFile(file)).toEqual(chain);
});

it('still writes an export to a new file, and over an old export (through a symlink, onto its target)', async () => {
  const out = join(other, 'SoA.csv');
  expect((await runCli(['soa', 'export', '--out', out])).code).toBe(0);
  expect(readFileSync(out, 'utf8')).toMatch(/^\uFEFF/);
  symlinkSync(out, join(other, 'latest.csv'));
  expect((await runCli(['soa', 'export', '--format', 'md', '--out', join(other, 'latest.csv')])).code).toBe(0);
  expect(readFileSync(out, 'utf8')).toMatch(/^#/);
});

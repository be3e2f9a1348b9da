// Offline-friendly embeddings: a model fetch that failed is remembered in the data folder, so the next start makes no
// attempt (a fake model hub counts the requests), until a day has passed or EMBEDDING_MODEL changes; `index` tries
// again and reports it. Also: the start's log lines on stderr are JSON with LOG_FORMAT=json, and stdout stays empty.
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmbedder, fetchRetryMs, readFetchFailure, type EmbedderConfig } from '../src/search/embed.js';
import { createLogger } from '../src/log.js';
import { root, nodeArgs } from './helpers/cli.js';
import { tempDir } from './fixtures/soa-helpers.js';

let hub: Server;
let hubUrl: string;
const requests: string[] = [];

beforeAll(async () => {
  // A model hub that is down: every request is counted and answered 503.
  hub = createServer((req, res) => {
    requests.push(req.url ?? '');
    res.writeHead(503).end('down');
  });
  await new Promise<void>((r) => hub.listen(0, '127.0.0.1', r));
  hubUrl = `http://127.0.0.1:${(hub.address() as AddressInfo).port}/`;
});
afterAll(() => new Promise<void>((r) => hub.close(() => r())));

const config = (dataDir: string, model = 'Xenova/multilingual-e5-small'): EmbedderConfig => ({
  embeddings: 'transformers', embeddingModel: model, dataDir, modelHost: hubUrl,
  openai: { embeddingModel: 'x', timeoutMs: 1000, enabled: false },
});

describe('a failed model fetch', () => {
  it('is remembered: the second start makes no request, a day later or with another model it tries again', async () => {
    const dataDir = tempDir();
    const lines: string[] = [];
    const log = createLogger('info', (l) => lines.push(l));
    const t0 = new Date('2026-11-29T00:00:00Z');

    requests.length = 0;
    expect(await createEmbedder(config(dataDir), log, { now: () => t0 })).toBeNull();
    const first = requests.length;
    expect(first).toBeGreaterThan(0);
    expect(readFetchFailure(dataDir)).toMatchObject({ model: 'Xenova/multilingual-e5-small', host: hubUrl, at: t0.toISOString() });
    expect(lines.filter((l) => / WARN /.test(l))).toHaveLength(1);

    // The next start, an hour later: no request at all, and no warning (one info line says why it is lexical-only).
    lines.length = 0;
    expect(await createEmbedder(config(dataDir), log, { now: () => new Date(t0.getTime() + 3600_000) })).toBeNull();
    expect(requests.length).toBe(first);
    expect(lines.join('\n')).not.toMatch(/ WARN /);
    expect(lines.join('\n')).toMatch(/INFO embedding model "Xenova\/multilingual-e5-small" is not fetched: the last try failed at 2026-11-29T00:00:00.000Z .*Next try after 2026-11-30T00:00:00.000Z/);

    // Another model is tried at once.
    await createEmbedder(config(dataDir, 'Xenova/paraphrase-multilingual-MiniLM-L12-v2'), log, { now: () => new Date(t0.getTime() + 3600_000) });
    const afterOther = requests.length;
    expect(afterOther).toBeGreaterThan(first);
    expect(requests.at(-1)).toMatch(/paraphrase-multilingual-MiniLM-L12-v2/);

    // The first model again, more than a day after its own failure: tried again.
    await createEmbedder(config(dataDir), log, { now: () => new Date(t0.getTime() + fetchRetryMs + 3600_000) });
    expect(requests.length).toBeGreaterThan(afterOther);
  });

  it('does not hold up the start: a hub that never answers is left in the background after the wait', async () => {
    const silent = createServer(() => { /* never answers */ });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      const lines: string[] = [];
      const t = performance.now();
      const e = await createEmbedder({ ...config(tempDir()), modelHost: `http://127.0.0.1:${(silent.address() as AddressInfo).port}/` }, createLogger('info', (l) => lines.push(l)), { fetchWaitMs: 300 });
      expect(e).toBeNull();
      expect(performance.now() - t).toBeLessThan(3000);
      expect(lines.join('\n')).toMatch(/is still being fetched; this run searches lexical-only/);
    } finally {
      silent.closeAllConnections();
      silent.close();
    }
  });
});

/**
 * A command in a child process, awaited without blocking this process (the fake hub must answer meanwhile; spawnSync
 * would freeze it). `npm start` in console mode with nothing on stdin starts, finds no input and stops.
 */
function run(cmd: string, args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, {
      cwd: root, stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, SLACK_BOT_TOKEN: '', SLACK_APP_TOKEN: '', SLACK_SIGNING_SECRET: '', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

it('with no network, the second `npm start` makes no attempt to fetch the model; logs are JSON lines on stderr only', async () => {
  const dataDir = tempDir();
  const env = { ISMS_DATA_DIR: dataDir, EMBEDDINGS: 'transformers', HF_ENDPOINT: hubUrl, LOG_FORMAT: 'json', LOG_LEVEL: 'info' };
  requests.length = 0;
  const first = await run('npm', ['start', '--silent'], env);
  expect(first.code).toBe(0);
  const fetched = requests.length;
  expect(fetched).toBeGreaterThan(0);

  const second = await run('npm', ['start', '--silent'], env);
  expect(second.code).toBe(0);
  expect(requests.length).toBe(fetched);

  for (const run of [first, second]) {
    expect(run.stdout).toBe(''); // no input, no conversation: nothing on stdout
    const lines = run.stderr.trim().split('\n');
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      const entry = JSON.parse(line) as { level?: unknown; time?: unknown; msg?: unknown };
      expect(entry.level).toMatch(/^(debug|info|warn|error)$/);
      expect(entry.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(typeof entry.msg).toBe('string');
    }
  }
  expect(first.stderr).toMatch(/"level":"warn"[^\n]*could not be loaded/);
  expect(second.stderr).not.toMatch(/"level":"warn"/);
  expect(second.stderr).toMatch(/is not fetched: the last try failed/);

  // `index` is asked for explicitly: it tries again, and says that dense search is off and why.
  const index = await run(process.execPath, [...nodeArgs('src/cli/main.ts'), 'index'], env);
  expect(index.code).toBe(0);
  expect(requests.length).toBeGreaterThan(fetched);
  expect(index.stdout).toMatch(/dense: {3}off \(no embedding model loaded: lexical-only\)/);
  expect(index.stderr).toMatch(/could not be loaded; search runs lexical-only/);
}, 120_000);

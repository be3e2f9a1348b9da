// Issue 14, item 4 outside Slack: the CLI's `ask` and the console chat refuse input over the limits at once, in the
// writer's language, and store nothing (the Slack side is in hardening-slack.test.ts).
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { limits } from '../src/chat/commands.js';
import { runConsole } from '../src/cli/console.js';
import { loadConfig } from '../src/config.js';
import { createCore, type Core } from '../src/core.js';
import { cli } from './helpers/cli.js';
import { tempDir } from './fixtures/soa-helpers.js';

let core: Core;
beforeAll(async () => {
  core = await createCore(loadConfig({ ISMS_DATA_DIR: tempDir(), EMBEDDINGS: 'off', LOG_LEVEL: 'silent', ISMS_APPROVERS: 'carol' }));
});
afterAll(() => core.close());

it('CLI: a 40 KB question is refused with one line and exit 2, before the search index is opened', () => {
  const t0 = performance.now();
  const question = `バックアップの責任は？${'あ'.repeat(40_000 - 11)}`;
  expect(question).toHaveLength(40_000);
  const r = cli(['ask', question]);
  console.log(`CLI ask of 40,000 characters: refused in ${Math.round(performance.now() - t0)} ms (process start included)`);
  expect(r.code).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr).toBe('error: メッセージが長すぎます（40,004 文字、上限 4,000 文字）。何も記録していません。 短くして送り直してください。長い文書は ISMS_DOCS_DIR に置くと検索・引用できます。\n');
});

it('chat: a question over the limit, and a message over the limit, are refused in their language; nothing is stored', async () => {
  const q = await core.chat.handle({ text: `What do we do about backups? ${'more '.repeat(500)}`, user: 'alice', thread: 'T:1', source: 'console' });
  expect(q).toEqual([expect.objectContaining({ type: 'error', lang: 'en', message: 'The question is too long (2,528 characters; the limit is 2,000).' })]);
  const m = await core.chat.handle({ text: `soa set 12.3.1 justification="${'理由'.repeat(3000)}"`, user: 'alice', thread: 'T:1', source: 'console' });
  expect(m).toEqual([expect.objectContaining({ type: 'error', lang: 'ja', message: expect.stringMatching(/^メッセージが長すぎます（6,031 文字、上限 4,000 文字）。何も記録していません。$/) })]);
  expect(await core.state.history('T:1')).toEqual([]);
  expect(await core.store.soa.history('12.3.1@customer')).toEqual([]);
  // The message shortcut asks through the same service.
  const shortcut = await core.chat.ask('x'.repeat(limits.question + 1), { thread: 'T:2' });
  expect(shortcut).toMatchObject({ type: 'error', message: expect.stringMatching(/The question is too long/) });
});

it('console: a long line gets the refusal and the next line is answered', async () => {
  const input = new PassThrough();
  const output = new PassThrough();
  let text = '';
  output.on('data', (d: Buffer) => (text += d.toString()));
  input.end(`${'暗号化'.repeat(2000)}\nhelp\n`);
  await runConsole(core, { input, output, user: 'alice', interactive: false });
  expect(text).toMatch(/メッセージが長すぎます（6,000 文字、上限 4,000 文字）/);
  expect(text).toMatch(/ISMS Cloud Assistant/);
});

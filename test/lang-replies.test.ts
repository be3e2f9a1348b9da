// One language per reply: every enum has a Japanese label, store errors are shown in Japanese, a Japanese console
// session shows no English enum words or store errors and names its time zone, and an approver's DM is in the
// approver's Slack locale.
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { answerModeLabels, decisionStateLabels, formatTime, label, levelLabels, riskStatusLabels, roleLabels, statusLabels, stepLabels, storeErrorText, treatmentLabels, type Labels } from '../src/chat/messages.js';
import { loadCatalog } from '../src/catalog/loader.js';
import { loadConfig } from '../src/config.js';
import { createCore } from '../src/core.js';
import { createSlackApp } from '../src/slack/app.js';
import { StoreError, openStore } from '../src/soa/index.js';
import { statuses } from '../src/soa/decisions.js';
import { riskStatuses, treatments } from '../src/soa/risks.js';
import { root, nodeArgs } from './helpers/cli.js';
import { appMention, boltUrl, eventEnvelope, postToBolt, startFakeSlack } from './helpers/fake-slack.js';

const japanese = /[\u3040-\u30ff\u4e00-\u9fff]/;

describe('the message catalogue', () => {
  const tables: [string, Labels, readonly string[]][] = [
    ['roles', roleLabels, ['customer', 'provider', 'both']],
    ['SoA statuses', statusLabels, statuses],
    ['decision states', decisionStateLabels, ['approved', 'proposed', 'rejected', 'superseded']],
    ['treatments', treatmentLabels, treatments],
    ['risk levels', levelLabels, ['low', 'medium', 'high']],
    ['risk statuses', riskStatusLabels, riskStatuses],
    ['assessment steps', stepLabels, ['service', 'role', 'model', 'runsOn', 'assets', 'risks', 'cia', 'owner', 'likelihood', 'impact', 'treatment', 'controls', 'missing', 'review', 'done', 'cancelled']],
    ['answer modes', answerModeLabels, ['extractive', 'llm']],
  ];
  it.each(tables)('has a Japanese label for every value of the %s', (_name, table, values) => {
    for (const v of values) {
      const ja = label(table, v, 'ja');
      expect(ja, v).toMatch(japanese);
      expect(ja, v).not.toMatch(/[a-z]{3,}/); // no English word inside the Japanese label
      expect(label(table, v, 'en'), v).not.toMatch(japanese);
    }
  });

  it('says the Japanese labels it was built for', () => {
    expect(label(roleLabels, 'both', 'ja')).toBe('カスタマとプロバイダの両方');
    expect(label(treatmentLabels, 'modify', 'ja')).toBe('低減（管理策で変える）');
    expect(label(levelLabels, 'high', 'ja')).toBe('高');
    expect(label(stepLabels, 'review', 'ja')).toBe('承認');
    expect(label(statusLabels, 'partial', 'ja')).toBe('一部実施');
  });

  it('shows a store error in Japanese: the store refuses an excluded control without a justification', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'isms-lang-'));
    const store = openStore(loadConfig({ ISMS_DATA_DIR: dir, ISMS_SOA_EDITION: '2013' }), loadCatalog());
    let error: StoreError | undefined;
    try {
      await store.soa.set({ control: '11.1.1', applicable: 'no', status: 'not-implemented', by: 'alice', source: 'console' });
    } catch (e) {
      error = e as StoreError;
    } finally {
      await store.close();
    }
    expect(error).toBeInstanceOf(StoreError);
    const ja = storeErrorText(error!.issues[0]!, 'ja');
    expect(ja.message).toBe('除外理由: 適用しない管理策には除外理由が必要です（JIP-ISMS517 4.2.2）');
    expect(ja.hint).toMatch(/^除外理由を justification="除外する理由" で書いてください/);
    // English stays as the store wrote it, with the chat's field=value spelling.
    expect(storeErrorText(error!.issues[0]!, 'en')).toEqual({ message: 'justification: a control that is not applicable needs an exclusion justification (JIP-ISMS517 4.2.2)', hint: expect.stringMatching(/^Add justification="why the control is excluded"/) });
  });

  it('shows times in ISMS_TIMEZONE with the zone named', () => {
    expect(formatTime('2026-11-29T03:05:00.000Z', 'ja', 'Asia/Tokyo')).toBe('2026-11-29 12:05（Asia/Tokyo）');
    expect(formatTime('2026-11-29T03:05:00.000Z', 'en', 'Europe/London')).toBe('2026-11-29 03:05 (Europe/London)');
  });
});

it('a Japanese console session shows no English enum word or store error, and names the time zone', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'isms-console-ja-'));
  const script = [
    'バックアップは誰の責任？',
    'soa set 11.1.1 applicable=no status=not-implemented',
    'soa set 11.1.1 applicable=maybe status=done',
    'soa set 12.3.1 applicable=yes status=partial owner=alice reason=risk:R-9',
    'soa set 12.3.1 applicable=yes status=partial owner=alice',
    'soa approve 12.3.1',
    'soa history 12.3.1',
    'soa 99.9.9',
    'missing',
    'export pdf',
    'lang xx',
  ].join('\n');
  const r = spawnSync(process.execPath, [...nodeArgs('src/main.ts')], {
    cwd: root, input: script, encoding: 'utf8', timeout: 120_000,
    env: { ...process.env, ISMS_DATA_DIR: dataDir, ISMS_SOA_EDITION: '2013', EMBEDDINGS: 'off', ISMS_APPROVERS: 'carol', ISMS_USER: 'alice', ISMS_LANG: 'ja', ISMS_TIMEZONE: 'Asia/Tokyo', LOG_LEVEL: 'warn', SLACK_BOT_TOKEN: '', SLACK_APP_TOKEN: '', SLACK_SIGNING_SECRET: '' },
  });
  expect(r.status).toBe(0);
  // What the user typed is echoed ("> ..."); look at the replies only.
  const replies = r.stdout.split('\n').filter((l) => !l.startsWith('> ')).join('\n');
  expect(replies).toContain('12.3.1 情報のバックアップ');
  expect(replies).toContain('除外理由: 適用しない管理策には除外理由が必要です');
  expect(replies).toContain('提案として記録しました。承認者（carol）の承認を待っています。');
  expect(replies).toContain('alice は承認者ではないため、承認できません');
  expect(replies).toMatch(/\d{4}-\d\d-\d\d \d\d:\d\d（Asia\/Tokyo）/);
  // Enum values appear only as command syntax (after = or |), never as words of a reply.
  const words = /(?<![=|\w-])(customer|provider|both|implemented|partial|planned|not-implemented|proposed|approved|rejected|superseded|modify|retain|avoid|share|low|medium|high|extractive|console)(?![=|\w-])/g;
  expect([...replies.matchAll(words)].map((m) => m[0])).toEqual([]);
  // No English store sentence, and no untranslated fallback.
  expect(replies).not.toMatch(/\b(is not|is required|needs an|cannot|Use one of|Did you mean|Add |Drop |Give )\b/);
  expect(replies).not.toMatch(/入力を受け付けられませんでした|入力を確認してください（/);
  // And no Slack markup in a terminal.
  expect(replies).not.toMatch(/\*\S[^*\n]*\*|<@|<https?:/);
}, 120_000);

it('sends an approver the proposal in the approver\'s language, not the proposer\'s', async () => {
  const fake = await startFakeSlack({ users: { UALICE: { locale: 'ja-JP' }, UCAROL: { locale: 'en-US' } } });
  const core = await createCore(loadConfig({ ISMS_DATA_DIR: mkdtempSync(join(tmpdir(), 'isms-dm-')), ISMS_SOA_EDITION: '2013', EMBEDDINGS: 'off', ISMS_APPROVERS: 'UCAROL', ISMS_LANG: 'ja', LOG_LEVEL: 'silent' }));
  const app = await createSlackApp(core, { mode: 'http', botToken: 'xoxb-test', signingSecret: 'dm-secret', port: 0, apiUrl: fake.apiUrl, allowBots: false, retries: 0 });
  try {
    const url = boltUrl(await app.start({ port: 0, host: '127.0.0.1' }));
    const ev = appMention('<@UBOT> soa set 12.3.1 applicable=yes status=partial owner=UALICE', { user: 'UALICE', channel: 'C1', ts: '1800000600.000100' });
    await postToBolt(url, 'dm-secret', 'event', eventEnvelope(ev));
    const recorded = await fake.waitFor('chat.postMessage', (a) => a.channel === 'C1');
    expect(recorded.args.text).toMatch(/提案として記録しました/);
    const dm = await fake.waitFor('chat.postMessage', (a) => a.channel === 'DUCAROL');
    expect(dm.args.text).toBe('12.3.1: proposal waiting for approval');
    expect(JSON.stringify(dm.args.blocks)).not.toMatch(japanese);
  } finally {
    await app.stop();
    await core.close();
    await fake.close();
  }
});

it('draws the digest chart with labels in the digest\'s language', async () => {
  const { renderTrendChart } = await import('../src/digest/chart.js');
  const points = [{ week: '2026-W47', score: 70 }, { week: '2026-W48', score: 81 }];
  const [ja, en] = await Promise.all([renderTrendChart(points, { lang: 'ja' }), renderTrendChart(points, { lang: 'en' })]);
  for (const png of [ja, en]) expect(png.subarray(1, 4).toString()).toBe('PNG');
  expect(ja.equals(en)).toBe(false);
  // The same data drawn twice in one language is the same picture: the difference is the labels.
  expect((await renderTrendChart(points, { lang: 'ja' })).equals(ja)).toBe(true);
});

// The digest in Slack, through the fake Web API: the post with its chart upload, the scheduler's catch-up, the
// preview for /isms digest, and the App Home published on app_home_opened (signed HTTP, as Slack sends it).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { App } from '@slack/bolt';
import { WebClient } from '@slack/web-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../src/config.js';
import { createCore, type Core } from '../src/core.js';
import { DigestLog } from '../src/digest/log.js';
import { createLogger } from '../src/log.js';
import { digestPreviewBlocks, digestPreviewText, postDigest, startDigestScheduler } from '../src/slack/digest.js';
import { eventEnvelope, postToBolt, startFakeSlack, type FakeSlack } from './helpers/fake-slack.js';
import { startHttpBot } from './helpers/bot.js';

const SECRET = 'test-signing-secret';
const CAROL = 'UCAROL'; // approver, English locale
const ALICE = 'UALICE'; // Japanese locale
const NOW = new Date('2026-11-30T00:00:00Z'); // Monday 09:00 in Tokyo, 2026-W49
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

let fake: FakeSlack;
let config: Config;
let core: Core;
let client: WebClient;
let app: App;
let url: string;
const logs: string[] = [];

beforeAll(async () => {
  fake = await startFakeSlack({ users: { [CAROL]: { locale: 'en-US' }, [ALICE]: { locale: 'ja-JP' } } });
  config = loadConfig({
    ISMS_SOA_EDITION: '2013', ISMS_DATA_DIR: mkdtempSync(join(tmpdir(), 'isms-digest-')), EMBEDDINGS: 'off', ISMS_APPROVERS: CAROL, ISMS_LANG: 'en',
    ISMS_DIGEST_CHANNEL: 'CDIGEST', LOG_LEVEL: 'warn',
  });
  core = await createCore(config, createLogger('info', (l) => logs.push(l)));
  const s = core.store;
  await s.profile.set({ scope: 'PayCloud (payroll SaaS) on AWS', services: [{ name: 'PayCloud', role: 'provider', model: 'SaaS', runsOn: 'AWS' }], by: CAROL });
  await s.risks.add({ title: 'Tenant data exposed', owner: 'bob', likelihood: 4, impact: 5, cia: 'C', nextReview: '2026-10-01', by: CAROL });
  await s.soa.set({ control: '12.3.1', applicable: true, status: 'implemented', by: CAROL });
  await s.soa.set({ control: '11.1.1', applicable: false, status: 'not-implemented', justification: 'n/a', by: CAROL });
  await s.soa.set({ control: 'CLD.9.5.1', applicable: true, status: 'planned', by: 'UBOB' });
  await s.internalAudits.record({ date: '2026-04-10', auditor: 'dave', by: CAROL });
  client = new WebClient('xoxb-test', { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 } });
  ({ app, url } = await startHttpBot(core, fake, SECRET));
});

afterAll(async () => {
  await app.stop();
  await core.close();
  await fake.close();
});

describe('posting the digest', () => {
  it('posts the blocks and uploads the trend chart PNG into the thread', async () => {
    fake.reset();
    const r = await postDigest(core, client, 'CDIGEST', 'en', { now: NOW });
    const post = fake.callsOf('chat.postMessage').find((c) => c.args.channel === 'CDIGEST')!;
    expect(post.args.text).toMatch(/^Weekly audit-readiness digest · 2026-W49: Readiness score: \d+\/100/);
    const blocks = JSON.stringify(post.args.blocks);
    expect(post.args.blocks[0]).toMatchObject({ type: 'header', text: { text: 'Weekly audit-readiness digest · 2026-W49' } });
    expect(blocks).toContain('SoA coverage*: 2/121 (2%)');
    expect(blocks).toContain('11.1.1 (placeholder)');
    expect(blocks).toMatch(/CLD\.9\.5\.1 \(<@UBOB>, \d+d\)/); // its age depends on the real clock that recorded it
    expect(blocks).toContain('R-1 (due 2026-10-01)');
    expect(blocks).toContain('last 2026-04-10 by dave');

    const url = fake.callsOf('files.getUploadURLExternal')[0]!;
    expect(url.args.filename).toBe('readiness-2026-W49.png');
    const upload = fake.callsOf('file_upload')[0]!;
    const png = upload.args.body as Buffer;
    expect(png.subarray(0, 8)).toEqual(PNG);
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([900, 420]); // IHDR width and height
    const done = fake.callsOf('files.completeUploadExternal')[0]!;
    expect(done.args).toMatchObject({ channel_id: 'CDIGEST', thread_ts: r.ts });
    expect(done.args.files[0]).toMatchObject({ id: upload.args.file_id, title: 'Readiness score trend up to 2026-W49' });
    expect(r).toMatchObject({ fileId: upload.args.file_id, week: '2026-W49' });
    // The post records this week's snapshot for the trend.
    expect(await new DigestLog(core.store).weekly()).toEqual([{ week: '2026-W49', score: r.score, takenAt: NOW.toISOString() }]);
  });

  it('posts in Japanese when asked', async () => {
    fake.reset();
    await postDigest(core, client, 'CDIGEST', 'ja', { now: NOW });
    const post = fake.callsOf('chat.postMessage')[0]!;
    const blocks = JSON.stringify(post.args.blocks);
    expect(blocks).toContain('週次 監査準備ダイジェスト · 2026-W49');
    expect(blocks).toContain('適用宣言書の網羅率*: 2/121');
    expect(blocks).toContain('内部監査（JIP-ISMS517 4.3）');
    expect(fake.callsOf('files.completeUploadExternal')[0]!.args.files[0].title).toBe('準備度スコアの推移（2026-W49 まで）');
  });

  it('keeps the post when the chart upload fails', async () => {
    fake.reset();
    fake.failNext('files.getUploadURLExternal', 'not_allowed_token_type');
    const r = await postDigest(core, client, 'CDIGEST', 'en', { now: NOW });
    expect(r.ts).toBeTruthy();
    expect(r.fileId).toBeUndefined();
    expect(logs.join('\n')).toMatch(/readiness chart upload failed/);
  });
});

describe('the scheduler in the Slack app', () => {
  it('catches up a missed run at start with one post, and a second process does not post it again', async () => {
    fake.reset();
    const tuesday = () => new Date('2026-12-08T02:00:00Z'); // Monday 7 December 09:00 JST was missed
    const stopA = await startDigestScheduler(core, client, config, { now: tuesday, process: 'bot-a' });
    const stopB = await startDigestScheduler(core, client, config, { now: tuesday, process: 'bot-b' });
    stopA();
    stopB();
    expect(fake.callsOf('chat.postMessage').filter((c) => c.args.channel === 'CDIGEST')).toHaveLength(1);
    expect(fake.callsOf('files.completeUploadExternal')).toHaveLength(1);
    const runs = await new DigestLog(core.store).runs();
    expect(runs).toMatchObject([{ scheduledFor: '2026-12-07T00:00:00.000Z', process: 'bot-a', channel: 'CDIGEST' }]);
    expect(runs[0]!.messageTs).toBe(fake.callsOf('files.completeUploadExternal')[0]!.args.thread_ts);
  });
});

describe('/isms digest preview', () => {
  it('builds the digest as blocks and text without recording a snapshot', async () => {
    const before = (await new DigestLog(core.store).weekly()).length;
    const blocks = await digestPreviewBlocks(core, 'en', NOW);
    expect(blocks[0]).toMatchObject({ type: 'header', text: { text: 'Preview: Weekly audit-readiness digest · 2026-W49' } });
    expect(JSON.stringify(blocks)).toContain('High risks untreated');
    const text = await digestPreviewText(core, 'ja', NOW);
    expect(text).toMatch(/^プレビュー: 週次 監査準備ダイジェスト · 2026-W49\n準備度スコア: \d+\/100/);
    expect(await new DigestLog(core.store).weekly()).toHaveLength(before);
  });
});

describe('App Home', () => {
  it('publishes the live score, its trend and the metric lines on app_home_opened', async () => {
    fake.reset();
    // A snapshot from an earlier week gives the trend arrow something to compare with.
    await new DigestLog(core.store).addSnapshot({ week: '2020-W01', score: { value: 1, parts: [] } } as never, new Date('2020-01-01T00:00:00Z'));
    const r = await postToBolt(url, SECRET, 'event', eventEnvelope({ type: 'app_home_opened', user: CAROL, channel: 'DHOME', tab: 'home' }, { eventId: 'Ev-home-digest' }));
    expect(r.status).toBe(200);
    const pub = await fake.waitFor('views.publish', (a) => a.user_id === CAROL);
    const text = JSON.stringify(pub.args.view.blocks);
    expect(text).toMatch(/Readiness score: \d+\/100\* ▲ \+\d+ \(vs 2020-W01\)/);
    expect(text).toContain('SoA coverage*\\n2 / 121 (2%)');
    for (const label of ['Exclusions without an adequate justification', 'Pending proposals', 'CLD controls undecided', 'Risks without a valid owner',
      'High risks untreated', 'Risk reviews overdue', 'Decisions changed in the last 7 days', 'Internal audit (JIP-ISMS517 4.3)', 'Audit chain*: verified']) {
      expect(text).toContain(label);
    }
    expect(text).toContain('soa_approve'); // the pending proposal keeps its buttons for the approver
    expect(text).toContain('home_missing');
  });

  it('speaks Japanese to a Japanese user', async () => {
    await postToBolt(url, SECRET, 'event', eventEnvelope({ type: 'app_home_opened', user: ALICE, channel: 'DHOME2', tab: 'home' }, { eventId: 'Ev-home-ja' }));
    const pub = await fake.waitFor('views.publish', (a) => a.user_id === ALICE);
    const text = JSON.stringify(pub.args.view.blocks);
    expect(text).toContain('準備度スコア');
    expect(text).toContain('未対応の高リスク');
  });
});

it('made no Web API call that Slack would refuse (a scope the manifest lacks, or blocks over Block Kit\'s limits)', () => {
  expect(fake.refused().map((c) => `${c.method}: ${c.error}`)).toEqual([]);
});

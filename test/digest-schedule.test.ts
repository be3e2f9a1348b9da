// The digest schedule: next runs across time zones and DST, start-up catch-up, and one post per slot even with two
// schedulers (two connections, and two processes) on the same database. Clocks are injected; nothing sleeps.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { DigestLog } from '../src/digest/log.js';
import { DigestScheduler, lastRun, nextRun } from '../src/digest/schedule.js';
import { root } from './helpers/cli.js';
import { tempStore } from './fixtures/soa-helpers.js';
import { closeEngines, engines, engineStore, type Engine, type EngineStore } from './helpers/stores.js';

afterAll(closeEngines);

const MONDAY_9 = '0 9 * * 1';
const iso = (s: string) => new Date(s).toISOString();

describe('next run across time zones', () => {
  it('Monday 09:00 in Asia/Tokyo is Monday 00:00 UTC', () => {
    expect(nextRun(MONDAY_9, 'Asia/Tokyo', new Date('2026-11-25T12:00:00Z'))?.toISOString()).toBe(iso('2026-11-30T00:00:00Z'));
    // Sunday 23:59 UTC is already Monday 08:59 in Tokyo: the run is one minute away.
    expect(nextRun(MONDAY_9, 'Asia/Tokyo', new Date('2026-11-29T23:59:00Z'))?.toISOString()).toBe(iso('2026-11-30T00:00:00Z'));
    // At the run itself, the next one is a week later.
    expect(nextRun(MONDAY_9, 'Asia/Tokyo', new Date('2026-11-30T00:00:00Z'))?.toISOString()).toBe(iso('2026-12-07T00:00:00Z'));
  });

  it('keeps 09:00 local in America/New_York across the end and the start of daylight saving time', () => {
    // DST ends on Sunday 1 November 2026: 09:00 EDT is 13:00 UTC, 09:00 EST is 14:00 UTC.
    expect(nextRun(MONDAY_9, 'America/New_York', new Date('2026-10-25T00:00:00Z'))?.toISOString()).toBe(iso('2026-10-26T13:00:00Z'));
    expect(nextRun(MONDAY_9, 'America/New_York', new Date('2026-10-27T00:00:00Z'))?.toISOString()).toBe(iso('2026-11-02T14:00:00Z'));
    // DST starts on Sunday 8 March 2026.
    expect(nextRun(MONDAY_9, 'America/New_York', new Date('2026-03-03T00:00:00Z'))?.toISOString()).toBe(iso('2026-03-09T13:00:00Z'));
    // A daily 02:30 run on the day the clock jumps from 02:00 to 03:00 runs once, right after the gap (03:00 EDT).
    expect(nextRun('30 2 * * *', 'America/New_York', new Date('2026-03-08T05:00:00Z'))?.toISOString()).toBe(iso('2026-03-08T07:00:00Z'));
  });

  it('finds the latest scheduled time at or before now', () => {
    expect(lastRun(MONDAY_9, 'Asia/Tokyo', new Date('2026-11-30T00:00:00Z'))?.toISOString()).toBe(iso('2026-11-30T00:00:00Z'));
    expect(lastRun(MONDAY_9, 'Asia/Tokyo', new Date('2026-11-29T23:59:59.999Z'))?.toISOString()).toBe(iso('2026-11-23T00:00:00Z'));
    expect(lastRun(MONDAY_9, 'UTC', new Date('2026-11-30T08:59:00Z'))?.toISOString()).toBe(iso('2026-11-23T09:00:00Z'));
    expect(lastRun('0 9 1 1 *', 'Europe/London', new Date('2026-11-30T00:00:00Z'))?.toISOString()).toBe(iso('2026-01-01T09:00:00Z'));
  });
});

/**
 * A scheduler on a new store on `engine`, or on another connection to the store of `other` (SQLite: the same file;
 * PostgreSQL: the same workspace), with a movable clock; `posts` lists the slots it posted.
 */
function harness(engine: Engine, other?: EngineStore, name = 'p1') {
  const t = other ?? engineStore(engine);
  const store = other ? other.reopen() : t.store;
  let now = new Date('2026-11-02T00:00:00Z');
  const posts: string[] = [];
  let fail = false;
  const scheduler = new DigestScheduler({
    log: new DigestLog(store), cron: MONDAY_9, timezone: 'Asia/Tokyo', now: () => now, process: name,
    post: (slot) => {
      if (fail) return Promise.reject(new Error('channel_not_found'));
      posts.push(slot.toISOString());
      return Promise.resolve({ channel: 'CDIGEST', messageTs: `${posts.length}.0001` });
    },
  });
  return {
    ...t, store, scheduler, posts, log: new DigestLog(store),
    at(t: string) { now = new Date(t); return this; },
    failing() { fail = true; },
  };
}

describe.each(engines)('catch-up at start-up (%s)', (engine) => {
  it('posts one missed run once, and nothing on a restart in the same week', async () => {
    const h = harness(engine);
    expect(await h.at('2026-11-16T00:00:00Z').scheduler.runDue()).toMatchObject({ outcome: 'posted' }); // on time
    // Down from Sunday to Tuesday: Monday 23 November was missed.
    expect(await h.at('2026-11-24T03:00:00Z').scheduler.start()).toMatchObject({ outcome: 'posted', slot: new Date('2026-11-23T00:00:00Z') });
    h.scheduler.stop();
    expect(await h.at('2026-11-24T05:00:00Z').scheduler.start()).toMatchObject({ outcome: 'taken' });
    h.scheduler.stop();
    expect(h.posts).toEqual([iso('2026-11-16T00:00:00Z'), iso('2026-11-23T00:00:00Z')]);
    expect((await h.log.runs()).map((r) => [r.scheduledFor, r.process, r.channel, r.messageTs])).toEqual([
      [iso('2026-11-16T00:00:00Z'), 'p1', 'CDIGEST', '1.0001'], [iso('2026-11-23T00:00:00Z'), 'p1', 'CDIGEST', '2.0001'],
    ]);
  });

  it('posts only the latest of several missed runs', async () => {
    const h = harness(engine);
    await h.at('2026-11-02T00:00:00Z').scheduler.runDue();
    // Down for three Mondays (9, 16 and 23 November).
    await h.at('2026-11-25T10:00:00Z').scheduler.start();
    h.scheduler.stop();
    await h.at('2026-11-26T10:00:00Z').scheduler.runDue();
    expect(h.posts).toEqual([iso('2026-11-02T00:00:00Z'), iso('2026-11-23T00:00:00Z')]);
    expect(await h.log.runs()).toHaveLength(2);
  });

  it('waits until the scheduled time, then posts', async () => {
    const h = harness(engine);
    await h.at('2026-11-16T00:00:00Z').scheduler.runDue();
    expect(await h.at('2026-11-22T23:59:59Z').scheduler.runDue()).toMatchObject({ outcome: 'taken' }); // 08:59:59 in Tokyo
    expect(await h.at('2026-11-23T00:00:00Z').scheduler.runDue()).toMatchObject({ outcome: 'posted' });
    expect(h.posts).toHaveLength(2);
    expect(h.scheduler.next()?.toISOString()).toBe(iso('2026-11-30T00:00:00Z'));
  });

  it('records a failed post and does not retry it (no double post when Slack took it after all)', async () => {
    const h = harness(engine);
    h.failing();
    expect(await h.at('2026-11-23T01:00:00Z').scheduler.runDue()).toMatchObject({ outcome: 'failed', error: 'channel_not_found' });
    expect(await h.scheduler.runDue()).toMatchObject({ outcome: 'taken' });
    expect(await h.log.runs()).toMatchObject([{ scheduledFor: iso('2026-11-23T00:00:00Z'), postedAt: null, error: 'channel_not_found' }]);
  });

  it('claims a run once and finishes it once; the run log keeps its rows', async () => {
    const h = harness(engine);
    await h.at('2026-11-23T01:00:00Z').scheduler.runDue();
    // The trigger on both engines; on PostgreSQL the application may not even name the claim's columns or delete (42501).
    await expect(h.asApp("UPDATE digest_runs SET posted_at = '2030-01-01'")).rejects.toThrow(/finished once/);
    await expect(h.asApp("UPDATE digest_runs SET process = 'other'")).rejects.toMatchObject(h.refusal(/finished once/));
    await expect(h.asApp('DELETE FROM digest_runs')).rejects.toMatchObject(h.refusal(/append-only/));
  });
});

describe.each(engines)('idempotency (%s)', (engine) => {
  it('two schedulers on the same database post once', async () => {
    const a = harness(engine, undefined, 'bot-a');
    const b = harness(engine, a, 'bot-b');
    a.at('2026-11-24T03:00:00Z');
    b.at('2026-11-24T03:00:01Z');
    const outcomes = await Promise.all([a.scheduler.start(), b.scheduler.start()]);
    a.scheduler.stop();
    b.scheduler.stop();
    expect(outcomes.map((o) => o.outcome).sort()).toEqual(['posted', 'taken']);
    expect([...a.posts, ...b.posts]).toEqual([iso('2026-11-23T00:00:00Z')]);
    expect(await a.log.runs()).toMatchObject([{ scheduledFor: iso('2026-11-23T00:00:00Z'), process: 'bot-a' }]);
  });

});

describe('idempotency across processes (SQLite: two processes on one ISMS_DATA_DIR)', () => {
  it('two bot processes started together post once', async () => {
    const { dir, store } = tempStore();
    await store.close();
    const go = join(dir, 'go');
    const env = { ...process.env, ISMS_DATA_DIR: dir, DIGEST_GO_FILE: go, LOG_LEVEL: 'warn' };
    const run = (name: string) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/digest-claimer.ts', name, '2026-11-24T03:00:00Z'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      const ready = new Promise<void>((resolve) => child.stdout.on('data', (d: Buffer) => { out += d.toString(); if (out.includes('ready')) resolve(); }));
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      const done = new Promise<string>((resolve) => child.on('exit', (code) => resolve(code === 0 ? out : `exit ${code}: ${err}`)));
      return { ready, done };
    };
    const one = run('proc-1');
    const two = run('proc-2');
    await Promise.all([one.ready, two.ready]);
    writeFileSync(go, '');
    const outs = await Promise.all([one.done, two.done]);
    const all = outs.join('\n');
    expect(all.match(/posted proc-\d/g)).toHaveLength(1);
    expect(all.match(/outcome (\w+)/g)?.sort()).toEqual(['outcome posted', 'outcome taken']);
    const check = tempStore({}, dir).store;
    expect(await new DigestLog(check).runs()).toMatchObject([{ scheduledFor: iso('2026-11-23T00:00:00Z'), channel: 'CDIGEST' }]);
    await check.close();
  }, 60_000);
});

describe('configuration', () => {
  it('defaults to Monday 09:00 in Asia/Tokyo, and the digest language to ISMS_LANG', () => {
    const c = loadConfig({ ISMS_SOA_EDITION: '2013', ISMS_LANG: 'en' });
    expect(c.digest).toEqual({ cron: MONDAY_9, channel: undefined, lang: 'en' });
    expect(c.timezone).toBe('Asia/Tokyo');
    expect(c.auditIntervalMonths).toBe(12);
    expect(loadConfig({ ISMS_SOA_EDITION: '2013', ISMS_LANG: 'en', ISMS_DIGEST_LANG: 'ja', ISMS_DIGEST_CHANNEL: 'C0123ABCD' }).digest).toMatchObject({ lang: 'ja', channel: 'C0123ABCD' });
  });

  it('fails at start-up on a bad cron expression, time zone or channel, naming the variable', () => {
    expect(() => loadConfig({ ISMS_SOA_EDITION: '2013', ISMS_DIGEST_CRON: '0 25 * * 1' })).toThrow(/ISMS_DIGEST_CRON="0 25 \* \* 1": not a cron expression/);
    expect(() => loadConfig({ ISMS_SOA_EDITION: '2013', ISMS_DIGEST_CRON: 'every monday' })).toThrow(/ISMS_DIGEST_CRON/);
    expect(() => loadConfig({ ISMS_SOA_EDITION: '2013', ISMS_TIMEZONE: 'Asia/Tokio' })).toThrow(/ISMS_TIMEZONE="Asia\/Tokio": must be an IANA time zone/);
    expect(() => loadConfig({ ISMS_SOA_EDITION: '2013', ISMS_DIGEST_CHANNEL: '#isms' })).toThrow(/ISMS_DIGEST_CHANNEL="#isms": must be a Slack channel ID/);
    expect(() => loadConfig({ ISMS_SOA_EDITION: '2013', ISMS_DIGEST_LANG: 'fr' })).toThrow(/ISMS_DIGEST_LANG/);
    expect(() => loadConfig({ ISMS_SOA_EDITION: '2013', ISMS_AUDIT_INTERVAL_MONTHS: '0' })).toThrow(/ISMS_AUDIT_INTERVAL_MONTHS/);
  });
});

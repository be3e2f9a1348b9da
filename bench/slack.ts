// npm run bench:slack — the Slack app under load, against a bare Bolt app of the same version in the same run.
// Each app runs in its own process (ours from dist/, as `npm start` runs it; the bare one is bench/bare-bolt.mjs), over
// HTTP on 127.0.0.1 against the fake Slack Web API (test/helpers/fake-slack.ts) in this process. The driver sends N
// signed app_mention events at concurrency C from 10 users and measures, per event, the ack (HTTP response) and the
// answer (the chat.postMessage in its thread reaching the fake). The bare app acks and posts one reply; ours searches,
// answers and posts. Medians of 3 runs each. BENCH_MENTIONS (default 1000), BENCH_CONCURRENCY (default 50);
// BENCH_DISTINCT=1 makes every question text unique, so that no answer comes from the answer cache.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appMention, eventEnvelope, postToBolt, startFakeSlack, type FakeSlack } from '../test/helpers/fake-slack.js';
import { median, root, table } from './common.js';
import { freePort } from '../test/helpers/net.js';

const n = Number(process.env.BENCH_MENTIONS ?? 1000);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 50);
const secret = 'bench-signing-secret';
const distinct = process.env.BENCH_DISTINCT === '1';
const questions = ['EC2 のパッチは誰が当てる？', 'Do we back up Microsoft 365 ourselves?', 'Who is responsible for logging in SaaS?', 'クラウドの暗号鍵の管理は？', 'What must a provider tell customers about data location?'];
const users = Array.from({ length: 10 }, (_, i) => `UBENCH${i}`);

interface Run { ackP99: number; answerP50: number; answerP99: number; throughput: number; answered: number; cpuPerMention: number }

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? NaN;

async function drive(url: string, fake: FakeSlack, channel: string): Promise<Omit<Run, 'cpuPerMention'>> {
  const sent = new Map<string, number>();
  const acks: number[] = [];
  const before = fake.calls.length;
  let next = 0;
  const start = Date.now();
  const worker = async () => {
    while (next < n) {
      const i = next++;
      const ts = `${Math.floor(start / 1000)}.${String(i).padStart(6, '0')}`;
      sent.set(ts, Date.now());
      // A number is not a search term: a distinct question costs the same work as the original, without the cache.
      const text = `<@UBOT> ${questions[i % questions.length]}${distinct ? ` (${i})` : ''}`;
      const ev = appMention(text, { user: users[i % users.length]!, channel, ts });
      const r = await postToBolt(url, secret, 'event', eventEnvelope(ev, { eventId: `Ev${channel}${i}` }));
      acks.push(r.ms);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  // Wait for the answers: one chat.postMessage per event, in its thread.
  const deadline = Date.now() + 300_000;
  const answered = () => fake.calls.slice(before).filter((c) => c.method === 'chat.postMessage' && c.args.channel === channel && sent.has(String(c.args.thread_ts)));
  while (answered().length < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  const posts = answered();
  const lat = posts.map((c) => c.at - sent.get(String(c.args.thread_ts))!);
  const last = Math.max(...posts.map((c) => c.at));
  return { ackP99: pct(acks, 99), answerP50: pct(lat, 50), answerP99: pct(lat, 99), throughput: posts.length / ((last - start) / 1000), answered: posts.length };
}

interface Running { url: string; cpuMs: () => number; stop: () => Promise<void> }

/** CPU time (user + system) that process `pid` has used so far, in ms, from /proc (Linux; NaN elsewhere). */
function cpuMsOf(pid: number | undefined): number {
  try {
    // Fields 14 and 15 of /proc/PID/stat, after the command name in parentheses; in clock ticks of 10 ms.
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
    return (Number(f[11]) + Number(f[12])) * 10;
  } catch {
    return NaN;
  }
}


/** Starts an app in its own process and waits until it answers GET /healthz (ours) or prints "ready" (the bare one). */
async function launch(kind: 'bare' | 'ours', fake: FakeSlack): Promise<Running> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-slack-'));
  const entry = kind === 'bare' ? join(root, 'bench', 'bare-bolt.mjs') : join(root, 'dist', 'src', 'main.js');
  if (!existsSync(entry)) throw new Error(`${entry} not found: run npm run build first`);
  const env: NodeJS.ProcessEnv = {
    ...process.env, PORT: String(port), SLACK_SIGNING_SECRET: secret, SLACK_BOT_TOKEN: 'xoxb-bench', SLACK_API_URL: fake.apiUrl,
    ISMS_DATA_DIR: dataDir, EMBEDDINGS: 'off', LOG_LEVEL: 'error',
  };
  delete env.SLACK_APP_TOKEN;
  // BENCH_APP_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the apps.
  const nodeArgs = (process.env.BENCH_APP_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, entry], { cwd: root, env, stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`${kind} app exited with ${code} before it was ready`))));
  const url = `http://127.0.0.1:${port}`;
  let gone = false;
  child.once('exit', () => { gone = true; });
  const ready = async () => {
    while (!gone) {
      try {
        if ((await fetch(`${url}/healthz`)).ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const printed = new Promise<void>((resolve) => child.stdout!.on('data', (d: Buffer) => { if (d.toString().includes('ready')) resolve(); }));
  await Promise.race([kind === 'bare' ? printed : ready(), exited]);
  return {
    url: `${url}/slack/events`,
    cpuMs: () => cpuMsOf(child.pid),
    stop: async () => {
      child.removeAllListeners('exit');
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await gone;
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

const fake = await startFakeSlack({ users: Object.fromEntries(users.map((u, i) => [u, { locale: i % 2 ? 'ja-JP' : 'en-US' }])) });
const results: Record<'bare' | 'ours', Run[]> = { bare: [], ours: [] };
for (let r = 0; r < 3; r++) {
  for (const kind of ['bare', 'ours'] as const) {
    const app = await launch(kind, fake);
    const cpu0 = app.cpuMs();
    const run = { ...await drive(app.url, fake, `C${kind.toUpperCase()}${r}`), cpuPerMention: 0 };
    run.cpuPerMention = (app.cpuMs() - cpu0) / n;
    await app.stop();
    results[kind].push(run);
    process.stderr.write(`run ${r + 1} ${kind}: answered ${run.answered}/${n}, answer p50 ${run.answerP50} ms p99 ${run.answerP99} ms, ${run.throughput.toFixed(0)}/s, ack p99 ${run.ackP99} ms, app CPU ${run.cpuPerMention.toFixed(2)} ms per mention\n`);
    fake.calls.length = 0;
  }
}
await fake.close();
const m = (k: 'bare' | 'ours', f: keyof Run) => median(results[k].map((x) => x[f]));
const line = (label: string, f: keyof Run, unit: string, digits = 0): [string, string] =>
  [label, `${m('ours', f).toFixed(digits)} ${unit} vs ${m('bare', f).toFixed(digits)} ${unit} = ×${(m('ours', f) / m('bare', f)).toFixed(2)}`];
console.log(table([
  line(`answer p50 (${n} mentions, concurrency ${concurrency})`, 'answerP50', 'ms'),
  line('answer p99', 'answerP99', 'ms'),
  line('throughput', 'throughput', 'answers/s', 1),
  line('ack p99', 'ackP99', 'ms'),
  line('app process CPU per mention (user + system)', 'cpuPerMention', 'ms', 2),
  ['answered', `${m('ours', 'answered')} / ${n} vs ${m('bare', 'answered')} / ${n}`],
], `ours (node dist/src/main.js) vs a bare @slack/bolt app (acks, posts one reply), each in its own process, in the same run; medians of 3 runs; fake Web API on 127.0.0.1; ${distinct ? `${n} distinct questions (no answer from the cache)` : `${questions.length} questions asked in turn`}`));

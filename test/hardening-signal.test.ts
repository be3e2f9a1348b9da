// Issue 14, item 10: SIGTERM sent to `npm start` reaches the app, which stops gracefully; no process is left holding
// the port (before, npm's shell died and the node process under it kept serving).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { root } from './helpers/cli.js';
import { startFakeSlack } from './helpers/fake-slack.js';
import { tempDir } from './fixtures/soa-helpers.js';
import { freePort } from './helpers/net.js';


/** True while any process of the group is alive. */
const groupAlive = (pgid: number) => {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
};

it('SIGTERM to `npm start` (HTTP mode) stops the app gracefully: npm exits 0, the port is free, no process is left', async () => {
  const fake = await startFakeSlack();
  const port = await freePort();
  // Its own process group, so that the test can see (and, if the fix regressed, end) every process it started.
  const child = spawn('npm', ['start'], {
    cwd: root, detached: true, stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ISMS_DATA_DIR: tempDir(), EMBEDDINGS: 'off', LOG_LEVEL: 'info', SLACK_BOT_TOKEN: 'xoxb-test', SLACK_SIGNING_SECRET: 'sig-secret', SLACK_API_URL: fake.apiUrl, PORT: String(port) },
  });
  let log = '';
  child.stdout.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr.on('data', (d: Buffer) => (log += d.toString()));
  const exited = new Promise<[number | null, string | null]>((r) => child.on('exit', (code, signal) => r([code, signal])));
  const healthz = async () => {
    try {
      return (await fetch(`http://127.0.0.1:${port}/healthz`)).status;
    } catch (e) {
      return String((e as { cause?: { code?: string } }).cause?.code ?? e);
    }
  };
  try {
    await expect.poll(healthz, { timeout: 60_000, interval: 200 }).toBe(200);
    const t0 = performance.now();
    child.kill('SIGTERM'); // npm's own process, as a supervisor or a terminal would signal it
    const [code, signal] = await exited;
    console.log(`npm start stopped ${Math.round(performance.now() - t0)} ms after SIGTERM (exit ${code ?? signal})`);
    expect([code, signal]).toEqual([0, null]);
    expect(log).toMatch(/SIGTERM: stopping[\s\S]*stopped/);
    await expect.poll(() => groupAlive(child.pid!), { timeout: 5000 }).toBe(false);
    expect(await healthz()).toBe('ECONNREFUSED');
  } finally {
    if (groupAlive(child.pid!)) process.kill(-child.pid!, 'SIGKILL');
    await fake.close();
  }
}, 90_000);

it('the Docker image runs node on the build under tini (which passes the signal on), not npx, npm or tsx', () => {
  const docker = readFileSync(new URL('../Dockerfile', import.meta.url), 'utf8');
  expect(docker).toMatch(/^ENTRYPOINT \["\/usr\/bin\/tini", "--"\]$/m);
  expect(docker).toMatch(/^CMD \["node", "dist\/src\/main\.js"\]$/m);
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { scripts: Record<string, string> };
  expect(pkg.scripts.start).toBe('exec node dist/src/main.js');
});

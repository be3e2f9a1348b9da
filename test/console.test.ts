// The console chat, driven through stdin as a script: a question, an SoA decision, an approval, then the store.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { openStore } from '../src/soa/index.js';
import { loadCatalog } from '../src/catalog/loader.js';
import { cli, nodeArgs } from './helpers/cli.js';
import { spawnSync } from 'node:child_process';
import { root } from './helpers/cli.js';

function startConsole(dataDir: string, user: string, script: string) {
  const r = spawnSync(process.execPath, [...nodeArgs('src/main.ts')], {
    cwd: root, input: script, encoding: 'utf8', timeout: 120_000,
    env: { ...process.env, ISMS_DATA_DIR: dataDir, EMBEDDINGS: 'off', ISMS_APPROVERS: 'carol', ISMS_USER: user, ISMS_LANG: 'en', LOG_LEVEL: 'warn', SLACK_BOT_TOKEN: '', SLACK_APP_TOKEN: '', SLACK_SIGNING_SECRET: '' },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

it('answers a question, records a proposal and an approval, and the store holds them', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'isms-console-'));
  const first = startConsole(dataDir, 'alice', [
    'Who takes backups in SaaS, us or the vendor?',
    'soa set 12.3.1 applicable=yes status=partial owner=alice reason=business:"customer data"',
    'soa set 11.1.1 applicable=no status=not-implemented',
  ].join('\n'));
  expect(first.code).toBe(0);
  expect(first.out).toContain('12.3.1 Information backup');
  expect(first.out).not.toMatch(/\*12\.3\.1|<@|<https?:/); // Slack markup is rendered as plain text
  expect(first.out).toMatch(/Sources: 12\.3\.1/);
  expect(first.out).toContain('Recorded as a proposal. Waiting for an approver (carol).');
  expect(first.out).toMatch(/justification: a control that is not applicable needs an exclusion justification[\s\S]*Hint: Add justification=/);

  const second = startConsole(dataDir, 'carol', 'soa approve 12.3.1\nsoa 12.3.1');
  expect(second.code).toBe(0);
  expect(second.out).toContain('Recorded as approved.');

  const store = openStore(loadConfig({ ISMS_SOA_EDITION: '2013', ISMS_DATA_DIR: dataDir, ISMS_APPROVERS: 'carol' }), loadCatalog());
  const { current, pending } = await store.soa.state('12.3.1');
  expect(current).toMatchObject({ applicable: true, status: 'partial', owner: 'alice', proposedBy: 'alice', approvedBy: 'carol', source: 'console', reasons: ['business:customer data'] });
  expect(pending).toBeNull();
  expect(await store.soa.history('11.1.1')).toEqual([]);
  expect(await store.verifyAudit()).toMatchObject({ ok: true });
  await store.close();
  expect(cli(['audit', 'verify'], { ISMS_DATA_DIR: dataDir }).stdout).toMatch(/^audit chain ok \(\d+ entries\)/);
});

// The guided risk assessment through the console adapter: a full run, bad input answered with a suggestion, a restart
// in the middle, a refused approval, and a cancel that writes nothing.
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { store } from './helpers/assessment-script.js';
import { analysis, checkWrittenAssessment, missed, pickRisks, scope } from './helpers/assessment-script.js';
import { root, nodeArgs } from './helpers/cli.js';
import { loadCatalog } from '../src/catalog/loader.js';
import { loadConfig } from '../src/config.js';
import { openStore } from '../src/soa/index.js';

function console_(dataDir: string, user: string, lines: string[]) {
  const r = spawnSync(process.execPath, [...nodeArgs('src/main.ts')], {
    cwd: root, input: lines.join('\n') + '\n', encoding: 'utf8', timeout: 120_000,
    env: { ...process.env, ISMS_DATA_DIR: dataDir, EMBEDDINGS: 'off', ISMS_APPROVERS: 'carol', ISMS_USER: user, ISMS_LANG: 'en', LOG_LEVEL: 'warn', SLACK_BOT_TOKEN: '', SLACK_APP_TOKEN: '', SLACK_SIGNING_SECRET: '' },
  });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

describe('assessment in the console', () => {
  it('runs a full assessment from a script, and an approver approves it: risks with owners and levels, linked SoA decisions, a valid audit chain', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'isms-assess-'));
    const out = console_(dataDir, 'alice', ['assess PayCloud', ...scope, ...pickRisks, ...analysis, ...missed, 'approve', 'submit']);
    expect(out).toContain('both the provider and the customer role are in scope (JIP-ISMS517 4.1)');
    expect(out).toMatch(/Recorded: .* 3×5=15 \(high\) · owner alice · modify → /);
    expect(out).toMatch(/Recorded: Payroll export emailed to the wrong customer — CIA CIA · 2×2=4 \(low\) · owner alice · retain\n/);
    expect(out).toMatch(/Only approvers can approve; alice is not one[\s\S]*Nothing was written/);
    expect(out).toContain('Submitted for approval.');
    const before = store(dataDir);
    expect(await before.risks.list()).toEqual([]);
    expect((await before.soaRows()).filter((r) => r.current || r.pending)).toEqual([]);
    await before.close();

    const approved = console_(dataDir, 'carol', ['approve']);
    expect(approved).toMatch(/Approved and written\. Risks: R-1 .* \(alice, high\); R-2 .* \(bob, medium\); R-3 .* \(alice, low\)/);
    await checkWrittenAssessment(dataDir, 'carol', /^console$/);
  });

  it('answers bad input with a suggestion instead of the same question, and resumes after a restart in the middle of the flow', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'isms-assess-'));
    const first = console_(dataDir, 'alice', ['assess PayCloud', ...scope, ...pickRisks, '9', '3']);
    // Not the question again: what was not understood, and what to write instead.
    expect(first).toMatch(/> 9\n⚠ I did not understand "9"\. Write "ok", or changes such as "4x5"[^\n]*\n\n> 3/);
    expect(first).toMatch(/> 3\n⚠ "3" alone: is it the likelihood or the impact\? Write "likelihood 3", "impact 3", or both as "3x4"\./);
    // A new process: the thread's state comes back from the data folder.
    const second = console_(dataDir, 'bob', ['+99.9.9', analysis[0]!]);
    expect(second).toMatch(/There is no control "99\.9\.9"; did you mean/);
    expect(second).toMatch(/Recorded: .* owner alice · modify[^\n]*\n\? \[2\/3\]/);
    const third = console_(dataDir, 'alice', [...analysis.slice(1), ...missed, 'submit']);
    expect(third).toContain('Submitted for approval.');
    const approved = console_(dataDir, 'carol', ['approve']);
    expect(approved).toContain('Approved and written.');
    await checkWrittenAssessment(dataDir, 'carol', /^console$/);
  });

  it('records who answered each step', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'isms-assess-'));
    console_(dataDir, 'alice', ['assess PayCloud', 'provider']);
    console_(dataDir, 'bob', ['SaaS']);
    const { ChatState } = await import('../src/chat/state.js');
    const state = (await new ChatState(dataDir).loadAssessment<{ answers: { step: string; user: string }[] }>('console'))!;
    expect(state.answers.map((a) => [a.step, a.user])).toEqual([['role', 'alice'], ['model', 'bob']]);
  });

  it('cancels with キャンセル and writes nothing', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'isms-assess-'));
    const out = console_(dataDir, 'alice', ['assess PayCloud', ...scope, ...pickRisks, analysis[0]!, 'キャンセル', 'approve']);
    expect(out).toMatch(/cancelled by alice\. Nothing was written\./);
    const s = store(dataDir);
    expect(await s.risks.list()).toEqual([]);
    expect(await s.profile.get()).toBeNull();
    expect(await s.audit.verify()).toMatchObject({ ok: true, entries: 0 });
    await s.close();
  });
});

describe('assessment in a 2022-edition SoA', () => {
  it('writes the chosen controls as 2022 lines: Annex A controls and 27017 items per role, linked to their risks', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'isms-assess-'));
    const env2022 = { ISMS_SOA_EDITION: '2022' };
    const lines = ['assess PayCloud', ...scope, ...pickRisks, ...analysis,
      'exclude 11.1.1 no premises', 'exclude 7.1 SaaS only: no premises of our own in scope', 'include 12.4.1 audit trail', 'include 12.4.1@customer audit trail for payroll changes', 'next', 'submit'];
    const out = console2022(dataDir, 'alice', lines, env2022);
    expect(out).toMatch(/11\.1\.1 is not in the list of missed controls/);
    expect(out).toMatch(/12\.4\.1 has a line per role: write 12\.4\.1@customer or 12\.4\.1@provider/);
    expect(out).toContain('Submitted for approval.');
    expect(console2022(dataDir, 'carol', ['approve'], env2022)).toContain('Approved and written.');
    const s = openStore(loadConfig({ ISMS_DATA_DIR: dataDir, ISMS_APPROVERS: 'carol' }), loadCatalog());
    try {
      expect((await s.edition()).edition).toBe('2022');
      const written = (await s.soaRows()).filter((r) => r.current);
      expect(written.length).toBeGreaterThan(3);
      // 12.3.1 was chosen for R-2: its Annex A control 8.13 and both 27017 lines carry the risk.
      for (const key of ['8.13', '12.3.1@customer', '12.3.1@provider']) expect((await s.soa.state(key)).current!.reasons, key).toContain('risk:R-2');
      // Both people stay on every decision: alice entered and submitted the items, carol approved them.
      for (const r of written) expect(r.current, r.key).toMatchObject({ proposedBy: 'alice', approvedBy: 'carol' });
      expect((await s.soa.state('7.1')).current).toMatchObject({ applicable: false, justification: 'SaaS only: no premises of our own in scope' });
      expect((await s.soa.state('12.4.1@customer')).current).toMatchObject({ applicable: true, reasons: ['business:audit trail for payroll changes'] });
      expect((await s.soa.state('11.1.1')).current).toBeNull();
      expect(await s.verifyAudit()).toMatchObject({ ok: true });
    } finally {
      await s.close();
    }
  });
});

function console2022(dataDir: string, user: string, lines: string[], env: Record<string, string>) {
  const r = spawnSync(process.execPath, [...nodeArgs('src/main.ts')], {
    cwd: root, input: lines.join('\n') + '\n', encoding: 'utf8', timeout: 120_000,
    env: { ...process.env, ISMS_DATA_DIR: dataDir, EMBEDDINGS: 'off', ISMS_APPROVERS: 'carol', ISMS_USER: user, ISMS_LANG: 'en', LOG_LEVEL: 'warn', SLACK_BOT_TOKEN: '', SLACK_APP_TOKEN: '', SLACK_SIGNING_SECRET: '', ...env },
  });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

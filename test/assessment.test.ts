// The guided risk assessment through the console adapter: a full run, a restart in the middle, a refused approval,
// and a cancel that writes nothing.
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { store } from './helpers/assessment-script.js';
import { analysis, checkWrittenAssessment, missed, pickRisks, scope } from './helpers/assessment-script.js';
import { root } from './helpers/cli.js';

function console_(dataDir: string, user: string, lines: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: root, input: lines.join('\n') + '\n', encoding: 'utf8', timeout: 120_000,
    env: { ...process.env, ISMS_DATA_DIR: dataDir, EMBEDDINGS: 'off', ISMS_APPROVERS: 'carol', ISMS_USER: user, ISMS_LANG: 'en', LOG_LEVEL: 'warn', SLACK_BOT_TOKEN: '', SLACK_APP_TOKEN: '', SLACK_SIGNING_SECRET: '' },
  });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

const analysisLines = analysis.flatMap((steps) => steps.filter((s) => s !== ''));

describe('assessment in the console', () => {
  it('runs a full assessment from a script, and an approver approves it: risks with owners and levels, linked SoA decisions, a valid audit chain', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'isms-assess-'));
    const out = console_(dataDir, 'alice', ['assess PayCloud', ...scope, ...pickRisks, ...analysisLines, ...missed, 'approve', 'submit']);
    expect(out).toContain('both the provider and the customer role are in scope (JIP-ISMS517 4.1)');
    expect(out).toContain('likelihood 3 × impact 5 = 15 (high)');
    expect(out).toMatch(/Only approvers can approve; alice is not one[\s\S]*Nothing was written/);
    expect(out).toContain('Submitted for approval.');
    const before = store(dataDir);
    expect(before.risks.list()).toEqual([]);
    expect(before.soaRows().filter((r) => r.current || r.pending)).toEqual([]);
    before.close();

    const approved = console_(dataDir, 'carol', ['approve']);
    expect(approved).toMatch(/Approved and written\. Risks: R-1 .* \(alice, high\); R-2 .* \(bob, medium\); R-3 .* \(alice, low\)/);
    checkWrittenAssessment(dataDir, 'carol', /^console$/);
  });

  it('asks again with a hint after bad input, and resumes after a restart in the middle of the flow', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'isms-assess-'));
    const first = console_(dataDir, 'alice', ['assess PayCloud', ...scope, ...pickRisks, 'ok', '', 'alice', '9']);
    expect(first).toMatch(/"9" is not a score: answer 1, 2, 3, 4 or 5\.\n\? \[1\/3\] .*Likelihood/);
    // A new process: the thread's state comes back from the data folder.
    const second = console_(dataDir, 'bob', ['3', '5', 'modify', '+99.9.9', 'ok']);
    expect(second).toMatch(/^> 3\n\? \[1\/3\] .*Impact/m);
    expect(second).toMatch(/no control "99\.9\.9"\. Did you mean/);
    const third = console_(dataDir, 'alice', [...analysisLines.slice(6), ...missed, 'submit']);
    expect(third).toContain('Submitted for approval.');
    const approved = console_(dataDir, 'carol', ['approve']);
    expect(approved).toContain('Approved and written.');
    checkWrittenAssessment(dataDir, 'carol', /^console$/);
  });

  it('records who answered each step', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'isms-assess-'));
    console_(dataDir, 'alice', ['assess PayCloud', 'provider']);
    console_(dataDir, 'bob', ['SaaS']);
    const { ChatState } = await import('../src/chat/state.js');
    const state = new ChatState(dataDir).loadAssessment<{ answers: { step: string; user: string }[] }>('console')!;
    expect(state.answers.map((a) => [a.step, a.user])).toEqual([['role', 'alice'], ['model', 'bob']]);
  });

  it('cancels with キャンセル and writes nothing', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'isms-assess-'));
    const out = console_(dataDir, 'alice', ['assess PayCloud', ...scope, ...pickRisks, ...analysisLines.slice(0, 6), 'キャンセル', 'approve']);
    expect(out).toMatch(/cancelled by alice\. Nothing was written\./);
    const s = store(dataDir);
    expect(s.risks.list()).toEqual([]);
    expect(s.profile.get()).toBeNull();
    expect(s.audit.verify()).toMatchObject({ ok: true, entries: 0 });
    s.close();
  });
});

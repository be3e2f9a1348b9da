import { describe, expect, it } from 'vitest';
import { cli } from './helpers/cli.js';
import { tempDir } from './fixtures/soa-helpers.js';

// One data folder for the whole file: the steps build on each other, as a user's session would.
const dir = tempDir();
const env = { ISMS_DATA_DIR: dir, ISMS_APPROVERS: 'alice,U0APPROVER', ISMS_ROLE: 'both' };
const run = (...args: string[]) => cli(args, env);

describe('cli: soa, risk, profile, audit', () => {
  it('refuses bad decisions with exit 1, naming the field and the fix, and writes nothing', () => {
    let r = run('soa', 'set', '11.1.1', '--applicable', 'no', '--status', 'not-implemented', '--by', 'alice');
    expect(r).toMatchObject({ code: 1, stdout: '' });
    expect(r.stderr).toContain('error: justification: a control that is not applicable needs an exclusion justification');
    expect(r.stderr).toContain('Add --justification "why the control is excluded"');

    r = run('soa', 'set', 'CLD.9.5.3', '--applicable', 'yes', '--status', 'planned', '--by', 'alice');
    expect(r).toMatchObject({ code: 1, stdout: '' });
    expect(r.stderr).toMatch(/error: control: no control "CLD\.9\.5\.3" in the catalogue\. Did you mean CLD\.9\.5\.[12]/);

    r = run('soa', 'set', '12.3.1', '--applicable', 'yes', '--status', 'planned', '--by', 'alice', '--colour', 'red');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("Unknown option '--colour'");

    r = run('audit', 'verify');
    expect(r).toMatchObject({ code: 0, stdout: 'audit chain ok (0 entries)\n' });
  });

  it('records the profile, a risk and a proposal, and only an approver approves it', () => {
    let r = run('profile', 'set', '--scope', 'Development and operation of Acme Portal (SaaS) on AWS',
      '--service', 'name=Acme Portal,role=provider,model=SaaS,runs-on=AWS', '--by', 'alice', '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ roles: ['customer', 'provider'], rolesFrom: 'profile', profile: { services: [{ name: 'Acme Portal', runsOn: 'AWS' }] } });

    r = run('risk', 'add', '--title', 'Restore fails', '--likelihood', '3', '--impact', '5', '--cia', 'IA');
    expect(r).toMatchObject({ code: 1, stdout: '' });
    expect(r.stderr).toContain('error: owner: is required. Every risk needs a risk owner');
    expect(r.stderr).toContain('by: is required. Say who records the risk');
    r = run('risk', 'add', '--title', 'Restore fails', '--owner', 'ops-lead', '--likelihood', '3', '--impact', '5', '--cia', 'IA',
      '--treatment', 'modify', '--control', 'A.12.3.1', '--service', 'Acme Portal', '--review', '2025-10-01', '--by', 'alice');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^R-1 Restore fails \(version 1, open\)\n {2}owner: ops-lead · CIA: IA · likelihood 3 x impact 5 = 15 \(high\)/);

    r = run('soa', 'set', '12.3.1', '--applicable', 'yes', '--status', 'implemented', '--reason', 'risk:R-1',
      '--reason', 'legal:個人情報保護法', '--owner', 'SRE', '--evidence', 'restore-test-2025-03', '--by', 'bob');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('12.3.1 情報のバックアップ / Information backup\n  version 1 (decision #1): proposed, waiting for approval');
    expect(r.stdout).toContain('reasons: risk:R-1, legal:個人情報保護法');

    r = run('soa', 'approve', '12.3.1', '--by', 'bob');
    expect(r).toMatchObject({ code: 1, stdout: '' });
    expect(r.stderr).toContain('error: by: bob is not an approver, so cannot approve. Ask one of alice, U0APPROVER (ISMS_APPROVERS)');

    r = run('soa', 'approve', '12.3.1', '--by', 'alice');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/version 1 \(decision #1\): approved by alice at /);

    r = run('soa', 'show', '12.3.1', '--json', '--history');
    const shown = JSON.parse(r.stdout);
    expect(shown.current).toMatchObject({ controlId: '12.3.1', state: 'approved', proposedBy: 'bob', approvedBy: 'alice', reasons: ['risk:R-1', 'legal:個人情報保護法'] });
    expect(shown.pending).toBeNull();
    expect(shown.history).toHaveLength(1);
  });

  it('lists the SoA, the missed controls and the risks as JSON, and verifies the chain', () => {
    const list = JSON.parse(run('soa', 'list', '--json').stdout) as { id: string; extended27017: boolean; current: unknown }[];
    expect(list).toHaveLength(121);
    expect(list.filter((x) => x.current)).toHaveLength(1);
    expect(list.find((x) => x.id === '12.3.1')!.extended27017).toBe(true);

    const missing = JSON.parse(run('soa', 'missing', '--json').stdout);
    expect(missing).toMatchObject({ roles: ['customer', 'provider'], rolesFrom: 'profile', count: 120 });

    const risks = JSON.parse(run('risk', 'list', '--json').stdout);
    expect(risks).toEqual([expect.objectContaining({ id: 'R-1', owner: 'ops-lead', controls: ['12.3.1'], level: 'high', nextReview: '2025-10-01' })]);

    expect(run('audit', 'verify')).toMatchObject({ code: 0, stdout: 'audit chain ok (4 entries)\n' });
  });
});

describe('approving the proposal you read', () => {
  it('refuses --version when the proposal was replaced since, and approves the version named', () => {
    const dir = tempDir();
    const env = { ISMS_DATA_DIR: dir, ISMS_APPROVERS: 'carol' };
    expect(cli(['soa', 'set', '12.3.1', '--applicable', 'yes', '--status', 'planned', '--by', 'alice'], env).code).toBe(0);
    expect(cli(['soa', 'set', '12.3.1', '--applicable', 'yes', '--status', 'implemented', '--by', 'bob'], env).code).toBe(0);
    const stale = cli(['soa', 'approve', '12.3.1', '--by', 'carol', '--version', '1'], env);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toContain('the pending proposal for 12.3.1 is version 2, not 1: it was proposed again since');
    const ok = cli(['soa', 'approve', '12.3.1', '--by', 'carol', '--version', '2', '--json'], env);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ version: 2, status: 'implemented', approvedBy: 'carol' });
  });
});

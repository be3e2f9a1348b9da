// Slack installations at rest (src/slack/installations.ts): which workspace an install or request belongs to, the
// encryption of the stored installation, and what an operator is told when the key no longer opens it.
import type { Installation } from '@slack/bolt';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { PgInstallationStore, seal, unseal, validWorkspace, workspaceOf } from '../src/slack/installations.js';

const app = new pg.Pool({ connectionString: process.env.ISMS_TEST_PG_APP_URL, max: 2 });
const admin = new pg.Pool({ connectionString: process.env.ISMS_TEST_PG_URL, max: 1 });
const team = `TINST${Date.now().toString(36).toUpperCase()}`;
afterAll(async () => {
  await admin.query('DELETE FROM slack_installations WHERE workspace = $1', [team]);
  await app.end();
  await admin.end();
});

const installation = (o: Partial<Installation> = {}): Installation => ({
  team: { id: team, name: 'Acme' }, enterprise: undefined, isEnterpriseInstall: false, user: { id: 'UINSTALLER', token: undefined, scopes: undefined },
  bot: { id: 'B1', userId: 'UBOT', token: 'xoxb-secret-token', scopes: ['chat:write'] }, appId: 'A1', authVersion: 'v2', ...o,
});

describe('slack installations', () => {
  it('keys an install by its team, an org-wide install by its organisation, and nothing that is not a Slack ID', () => {
    expect(workspaceOf({ teamId: 'T0123ABCD' })).toBe('T0123ABCD');
    expect(workspaceOf({ teamId: 'T0123ABCD', enterpriseId: 'E0ORG', isEnterpriseInstall: true })).toBe('E0ORG');
    expect(workspaceOf({ teamId: 'T0123ABCD', enterpriseId: 'E0ORG', isEnterpriseInstall: false })).toBe('T0123ABCD');
    expect(workspaceOf({ enterpriseId: 'E0ORG' })).toBe('E0ORG');
    for (const bad of ['', 'default', "T1'; DROP TABLE x", 't0123abcd', 'T'.repeat(40)]) expect(validWorkspace(bad), bad).toBe(false);
    expect(workspaceOf({ teamId: 'not a team' })).toBeUndefined();
  });

  it('seals with AES-256-GCM: a wrong key or a changed byte opens nothing', () => {
    const key = Buffer.alloc(32, 7);
    const sealed = seal(key, 'xoxb-secret');
    expect(sealed).toMatch(/^v1:/);
    expect(sealed).not.toContain('xoxb');
    expect(seal(key, 'xoxb-secret')).not.toBe(sealed); // a fresh IV each time
    expect(unseal(key, sealed)).toBe('xoxb-secret');
    expect(unseal(Buffer.alloc(32, 8), sealed)).toBeUndefined();
    const raw = Buffer.from(sealed.slice(3), 'base64');
    raw[raw.length - 1] = raw[raw.length - 1]! ^ 1;
    expect(unseal(key, `v1:${raw.toString('base64')}`)).toBeUndefined();
    expect(unseal(key, 'v1:')).toBeUndefined();
    // Bound to a text (the workspace): it opens with that text only.
    const bound = seal(key, 'xoxb-a', 'slack-installation:TA');
    expect(unseal(key, bound, 'slack-installation:TA')).toBe('xoxb-a');
    expect(unseal(key, bound, 'slack-installation:TB')).toBeUndefined();
    expect(unseal(key, bound)).toBeUndefined();
    expect(unseal(key, '{"bot":{}}')).toBeUndefined();
  });

  it('stores an installation unreadable in the database, replaces it on reinstall, and names the fix when SLACK_STATE_SECRET changed', async () => {
    const installed: string[] = [];
    const store = new PgInstallationStore(app, 'state-secret-one-0123456789', (ws) => Promise.resolve(void installed.push(ws)));
    await store.storeInstallation(installation());
    await store.storeInstallation(installation({ bot: { id: 'B1', userId: 'UBOT', token: 'xoxb-rotated', scopes: ['chat:write'] } }));
    expect(installed).toEqual([team, team]);
    const rows = (await admin.query<{ installation: string; installed_by: string }>('SELECT installation, installed_by FROM slack_installations WHERE workspace = $1', [team])).rows;
    expect(rows).toHaveLength(1);
    expect(rows[0]!.installed_by).toBe('UINSTALLER');
    expect(rows[0]!.installation).not.toMatch(/xoxb|Acme/);
    expect((await store.fetchInstallation({ teamId: team, enterpriseId: undefined, isEnterpriseInstall: false })).bot?.token).toBe('xoxb-rotated');
    expect((await store.list()).map((w) => w.workspace)).toContain(team);

    // A's sealed installation copied into another workspace's row (someone with write access to the table) opens for
    // neither: the seal names its workspace.
    const other = `${team}X`;
    await admin.query('INSERT INTO slack_installations (workspace, is_enterprise_install, installation) SELECT $2, false, installation FROM slack_installations WHERE workspace = $1', [team, other]);
    await expect(store.fetchInstallation({ teamId: other, enterpriseId: undefined, isEnterpriseInstall: false })).rejects.toThrow(`the installation of workspace ${other} cannot be decrypted: SLACK_STATE_SECRET changed since it was installed, or the row was altered`);
    await admin.query('DELETE FROM slack_installations WHERE workspace = $1', [other]);

    const rotated = new PgInstallationStore(app, 'state-secret-two-0123456789');
    await expect(rotated.fetchInstallation({ teamId: team, enterpriseId: undefined, isEnterpriseInstall: false }))
      .rejects.toThrow(`the installation of workspace ${team} cannot be decrypted: SLACK_STATE_SECRET changed since it was installed, or the row was altered; install the app there again through /slack/install`);
    // The scheduled jobs skip what they cannot open, and go on with the rest.
    expect((await rotated.list()).map((w) => w.workspace)).not.toContain(team);
    await expect(store.fetchInstallation({ teamId: 'TNOTHERE', enterpriseId: undefined, isEnterpriseInstall: false })).rejects.toThrow(/TNOTHERE has not installed the app/);
    await expect(store.storeInstallation(installation({ team: { id: 'bad id' } }))).rejects.toThrow(/names no valid workspace/);

    await store.deleteInstallation({ teamId: team, enterpriseId: undefined, isEnterpriseInstall: false });
    expect((await admin.query('SELECT 1 FROM slack_installations WHERE workspace = $1', [team])).rows).toHaveLength(0);
  });
});

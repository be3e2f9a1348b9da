// Slack installations (OAuth, several workspaces), kept in the PostgreSQL database beside the records: Bolt's
// InstallationStore. One row per workspace (the enterprise ID of an org-wide install, else the team ID), replaced on
// reinstall. The installation (bot token included) is stored encrypted (AES-256-GCM) with a key derived from
// SLACK_STATE_SECRET, so a database dump alone does not hand out the tokens.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import type { Installation, InstallationQuery, InstallationStore } from '@slack/bolt';
import type pg from 'pg';

/** The workspace an install or a request belongs to: the organisation for an org-wide install, else the team. */
export function workspaceOf(q: { teamId?: string; enterpriseId?: string; isEnterpriseInstall?: boolean }): string | undefined {
  const id = q.isEnterpriseInstall ? q.enterpriseId : q.teamId ?? q.enterpriseId;
  return id && validWorkspace(id) ? id : undefined;
}

/** Slack team and enterprise IDs (T…, E…); anything else never names a workspace. */
export const validWorkspace = (id: string) => /^[A-Z0-9]{2,32}$/.test(id);

/**
 * The workspace of the person behind a request, when the payload says and it is not the authorized one: a user of
 * another workspace in a channel shared with this one (Slack Connect) whose event Slack delivered under this
 * workspace's installation. Undefined when they match, or when the payload does not say. An org-wide install spans
 * its organisation's workspaces, so there it is not checked.
 */
export function foreignSpeaker(body: unknown, context: { teamId?: string; isEnterpriseInstall?: boolean }): string | undefined {
  if (context.isEnterpriseInstall || !context.teamId || !body || typeof body !== 'object') return undefined;
  const b = body as { type?: unknown; event?: { user_team?: unknown; team?: unknown; type?: unknown }; user?: { team_id?: unknown } };
  const team = b.type === 'event_callback'
    ? (typeof b.event?.user_team === 'string' ? b.event.user_team : b.event?.type === 'app_mention' || b.event?.type === 'message' ? b.event.team : undefined)
    : b.user?.team_id;
  return typeof team === 'string' && team && team !== context.teamId ? team : undefined;
}

function keyOf(secret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, 'isms-cloud-assistant', 'slack installations v1', 32));
}

/** `bound`: authenticated with the text (the workspace), so a sealed installation opens only for its own row. */
export function seal(key: Buffer, plain: string, bound = ''): string {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', key, iv);
  c.setAAD(Buffer.from(bound));
  const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
  return `v1:${Buffer.concat([iv, c.getAuthTag(), body]).toString('base64')}`;
}

export function unseal(key: Buffer, sealed: string, bound = ''): string | undefined {
  if (!sealed.startsWith('v1:')) return undefined;
  const raw = Buffer.from(sealed.slice(3), 'base64');
  if (raw.length < 29) return undefined;
  try {
    const d = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
    d.setAAD(Buffer.from(bound));
    d.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([d.update(raw.subarray(28)), d.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}

const bound = (ws: string) => `slack-installation:${ws}`;

export interface InstalledWorkspace {
  workspace: string;
  installation: Installation;
}

export class PgInstallationStore implements InstallationStore {
  private readonly key: Buffer;

  constructor(
    private readonly pool: pg.Pool,
    stateSecret: string,
    /** Told after an install is stored (the first approver is recorded there). */
    private readonly onInstalled?: (workspace: string, installation: Installation) => Promise<void>,
  ) {
    this.key = keyOf(stateSecret);
  }

  async storeInstallation(installation: Installation): Promise<void> {
    const ws = workspaceOf({ teamId: installation.team?.id, enterpriseId: installation.enterprise?.id, isEnterpriseInstall: installation.isEnterpriseInstall });
    if (!ws) throw new Error(`the installation names no valid workspace (team ${installation.team?.id ?? '-'}, enterprise ${installation.enterprise?.id ?? '-'})`);
    await this.pool.query(
      `INSERT INTO slack_installations (workspace, team_id, enterprise_id, is_enterprise_install, installation, installed_by)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (workspace) DO UPDATE SET team_id = EXCLUDED.team_id, enterprise_id = EXCLUDED.enterprise_id,
         is_enterprise_install = EXCLUDED.is_enterprise_install, installation = EXCLUDED.installation, installed_by = EXCLUDED.installed_by, updated_at = now()`,
      [ws, installation.team?.id ?? null, installation.enterprise?.id ?? null, !!installation.isEnterpriseInstall, seal(this.key, JSON.stringify(installation), bound(ws)), installation.user?.id ?? null],
    );
    await this.onInstalled?.(ws, installation);
  }

  async fetchInstallation(query: InstallationQuery<boolean>): Promise<Installation> {
    const ws = workspaceOf(query);
    if (!ws) throw new Error(`no workspace in the request (team ${query.teamId ?? '-'}, enterprise ${query.enterpriseId ?? '-'})`);
    const row = (await this.pool.query<{ installation: string }>('SELECT installation FROM slack_installations WHERE workspace = $1', [ws])).rows[0];
    if (!row) throw new Error(`workspace ${ws} has not installed the app: install it through /slack/install`);
    return this.open(ws, row.installation);
  }

  async deleteInstallation(query: InstallationQuery<boolean>): Promise<void> {
    const ws = workspaceOf(query);
    if (ws) await this.deleteWorkspace(ws);
  }

  async deleteWorkspace(workspace: string): Promise<void> {
    await this.pool.query('DELETE FROM slack_installations WHERE workspace = $1', [workspace]);
  }

  /** Every installed workspace (the digest and the reminders run for each). */
  async list(): Promise<InstalledWorkspace[]> {
    const { rows } = await this.pool.query<{ workspace: string; installation: string }>('SELECT workspace, installation FROM slack_installations ORDER BY workspace');
    const out: InstalledWorkspace[] = [];
    for (const r of rows) {
      try {
        out.push({ workspace: r.workspace, installation: this.open(r.workspace, r.installation) });
      } catch {
        // Named by fetchInstallation when that workspace sends a request; the others still run.
      }
    }
    return out;
  }

  private open(ws: string, sealed: string): Installation {
    const plain = unseal(this.key, sealed, bound(ws));
    if (plain === undefined) {
      throw new Error(`the installation of workspace ${ws} cannot be decrypted: SLACK_STATE_SECRET changed since it was installed, or the row was altered; install the app there again through /slack/install`);
    }
    const installation = JSON.parse(plain) as Installation;
    // Belt and braces: the installation names the workspace of its row.
    const own = workspaceOf({ teamId: installation.team?.id, enterpriseId: installation.enterprise?.id, isEnterpriseInstall: installation.isEnterpriseInstall });
    if (own !== ws) throw new Error(`the installation stored for workspace ${ws} belongs to ${own ?? 'no workspace'}; install the app there again through /slack/install`);
    return installation;
  }
}

// `db workspaces`: the Slack workspaces installed in a deployment that serves several (PostgreSQL), each with who
// installed it and how far its audit chain has come. Reads only: no token is decrypted, nothing is migrated.
import type { AppContext } from '../app.js';
import { shownUrl } from '../soa/connect.js';
import { parse, UserError, type Out } from './args.js';

export interface InstalledRow {
  workspace: string;
  team: string | null;
  enterprise: string | null;
  orgWide: boolean;
  installedBy: string | null;
  installedAt: string;
  updatedAt: string;
  entries: number;
  lastEntry: string | null;
}

export async function workspacesCommand(ctx: AppContext, argv: string[], out: Out): Promise<void> {
  const { values } = parse(argv, { json: { type: 'boolean' } }, 'db workspaces [--json]');
  const db = ctx.config.database;
  if (!db) throw new UserError('db workspaces lists the Slack workspaces of a PostgreSQL deployment: set DATABASE_URL', 2);
  const { pool, workspaceTransaction } = await import('../soa/pg/db.js');
  const app = pool(db.url, 2);
  try {
    type Row = { workspace: string; team_id: string | null; enterprise_id: string | null; is_enterprise_install: boolean; installed_by: string | null; installed_at: Date; updated_at: Date };
    let rows: Row[];
    try {
      rows = (await app.query<Row>('SELECT workspace, team_id, enterprise_id, is_enterprise_install, installed_by, installed_at, updated_at FROM slack_installations ORDER BY workspace')).rows;
    } catch (e) {
      throw new UserError(`cannot list the workspaces of ${shownUrl(db.url)}: ${(e as Error).message}. Start the bot once with DATABASE_ADMIN_URL so that it migrates the database`, 1);
    }
    const list: InstalledRow[] = [];
    for (const r of rows) {
      // Each workspace's chain, seen as that workspace (row-level security shows one workspace per transaction).
      const chain = await workspaceTransaction(app, r.workspace, async (c) =>
        (await c.query<{ n: number; last: string | null }>('SELECT count(*)::int AS n, max(at) AS last FROM audit_log')).rows[0]!, { readOnly: true });
      list.push({
        workspace: r.workspace, team: r.team_id, enterprise: r.enterprise_id, orgWide: r.is_enterprise_install, installedBy: r.installed_by,
        installedAt: r.installed_at.toISOString(), updatedAt: r.updated_at.toISOString(), entries: chain.n, lastEntry: chain.last,
      });
    }
    if (values.json) {
      out(JSON.stringify(list, null, 2));
      return;
    }
    if (!list.length) {
      out('no Slack workspace has installed the app yet (several workspaces: /slack/install)');
      return;
    }
    for (const w of list) {
      const reinstalled = w.updatedAt !== w.installedAt ? `, last installed ${w.updatedAt}` : '';
      out(`${w.workspace}${w.orgWide ? ' (organisation-wide)' : ''}: installed by ${w.installedBy ?? '?'} at ${w.installedAt}${reinstalled}; `
        + `audit chain ${w.entries} entries${w.lastEntry ? `, the latest at ${w.lastEntry}` : ''} (check it: ISMS_WORKSPACE=${w.workspace} audit verify)`);
    }
  } finally {
    await app.end().catch(() => undefined);
  }
}

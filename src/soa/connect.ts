// Opens the store and the chat state for a configuration: the SQLite files in ISMS_DATA_DIR by default, or with
// DATABASE_URL one PostgreSQL database (migrated first, under an advisory lock, as DATABASE_ADMIN_URL's role).
import type { Catalog } from '../catalog/catalog.js';
import { ChatState, type ChatStateApi } from '../chat/state.js';
import type { Config } from '../config.js';
import { StoreError } from './errors.js';
import { existsSync } from 'node:fs';
import { openStore, PeopleDirectory, Store, storeFile, type StoreOptions } from './index.js';

/** The workspace of a single-workspace deployment (token mode) in a PostgreSQL database. */
export const defaultWorkspace = 'default';

export interface Storage {
  store: Store;
  state: ChatStateApi;
  close: () => Promise<void>;
  /**
   * PostgreSQL only: the store and chat state of another workspace on the same pool (several workspaces). Its approvers
   * are the workspace's recorded setting, not ISMS_APPROVERS.
   */
  openWorkspace?: (workspace: string) => Promise<{ store: Store; state: ChatStateApi }>;
  /** PostgreSQL only: the pool (the Slack installations live there too). */
  pool?: import('pg').Pool;
}

/** A connection URL with its password replaced, for messages. */
export function shownUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparsable URL)';
  }
}

/** Why PostgreSQL could not be reached or migrated, as one StoreError that names the server and the fix. */
function unreachable(e: unknown, url: string): StoreError {
  const err = e as { code?: string; message?: string };
  const detail = err.code ? `${err.code}: ${err.message ?? ''}` : String(err.message ?? e);
  return new StoreError([{ field: 'database', message: `PostgreSQL at ${shownUrl(url)} cannot be used (${detail.replaceAll(url, shownUrl(url))})`,
    hint: 'Check DATABASE_URL (and DATABASE_ADMIN_URL), that the server runs and accepts this role; unset DATABASE_URL to use the SQLite file in ISMS_DATA_DIR' }]);
}

/** Said once when DATABASE_URL is set while ISMS_DATA_DIR still holds an SQLite store, which PostgreSQL does not read. */
export function sqliteLeftBehind(config: Config): string | undefined {
  const file = storeFile(config);
  if (!config.database || !existsSync(file)) return undefined;
  return `DATABASE_URL selects PostgreSQL, but ${file} holds an SQLite store, which is not read: its records stay there. Unset DATABASE_URL to keep using it, or move the file away once its records are entered in PostgreSQL`;
}

/**
 * Several workspaces rest on row-level security, which a superuser or a BYPASSRLS role skips even when it is forced:
 * such a DATABASE_URL would mix the workspaces' records, so it is refused.
 */
async function refuseRlsBypass(app: import('pg').Pool, url: string): Promise<void> {
  const row = (await app.query<{ name: string; bypass: boolean }>('SELECT current_user AS name, (rolsuper OR rolbypassrls) AS bypass FROM pg_roles WHERE rolname = current_user')).rows[0];
  if (!row?.bypass) return;
  throw new StoreError([{ field: 'database', message: `DATABASE_URL (${shownUrl(url)}) connects as ${row.name}, a superuser or a role with BYPASSRLS: row-level security does not hold for it, so the records of several workspaces would mix`,
    hint: 'Connect the bot as its own role without those rights (compose.postgres.yaml: isms_app) and keep the owner for DATABASE_ADMIN_URL' }]);
}

async function openPostgres(config: Config, catalog: Catalog, extra: Partial<StoreOptions>, workspace: string, onError?: (e: Error) => void, readOnly = false, isolate = false) {
  const { migrate, pool } = await import('./pg/db.js');
  const { PgDb } = await import('./pg/engine.js');
  const { pgMigrations } = await import('./pg/schema.js');
  const { url, adminUrl } = config.database!;
  if (!readOnly) {
    const admin = pool(adminUrl, 1);
    try {
      const appRole = adminUrl === url ? undefined : decodeURIComponent(new URL(url).username);
      await migrate(admin, { appRole });
    } catch (e) {
      throw unreachable(e, adminUrl);
    } finally {
      await admin.end().catch(() => undefined);
    }
  }
  const app = pool(url, 10, onError);
  if (isolate) {
    try {
      await refuseRlsBypass(app, url);
    } catch (e) {
      await app.end().catch(() => undefined);
      throw e instanceof StoreError ? e : unreachable(e, url);
    }
  }
  if (readOnly) {
    // Checking evidence changes nothing: no migration, no grants; a database that is not at this build's schema is named.
    let version: number | null;
    try {
      version = (await app.query<{ v: number | null }>("SELECT CASE WHEN to_regclass('schema_migrations') IS NULL THEN NULL ELSE (SELECT max(version) FROM schema_migrations) END AS v")).rows[0]?.v ?? null;
    } catch (e) {
      await app.end().catch(() => undefined);
      throw unreachable(e, url);
    }
    if (version !== pgMigrations.length) {
      await app.end().catch(() => undefined);
      throw new StoreError([{ field: 'database', message: `${shownUrl(url)} is at schema version ${version ?? 'none'}, and this build reads version ${pgMigrations.length}`,
        hint: 'Start the bot (or run a command that writes) once with DATABASE_ADMIN_URL set, so that it migrates the database; nothing was changed' }]);
    }
  }
  const store = new Store(new PgDb(app, workspace, { ownsPool: true }), storeOptions(config, catalog, extra));
  return { store, app };
}

function storeOptions(config: Config, catalog: Catalog, extra: Partial<StoreOptions>): StoreOptions {
  return {
    catalog, approvers: config.approvers, fourEyes: config.fourEyes, riskLevels: config.riskLevels, fallbackRole: config.role, auditIntervalMonths: config.auditIntervalMonths, timezone: config.timezone,
    defaultEdition: config.soaEdition, ...extra,
  };
}

/** ISMS_WORKSPACE names a workspace of several, which only PostgreSQL keeps. */
function refuseWorkspaceOnSqlite(config: Config): void {
  if (config.workspace) {
    throw new StoreError([{ field: 'workspace', message: `ISMS_WORKSPACE=${config.workspace} names a workspace, but DATABASE_URL is not set: the SQLite store holds one workspace only`, hint: 'Set DATABASE_URL to the database of the several workspaces, or unset ISMS_WORKSPACE' }]);
  }
}

/** The store alone (CLI commands): SQLite, or PostgreSQL when DATABASE_URL is set. */
/** `readOnly`: a PostgreSQL database is neither migrated nor granted anything (audit verify), only checked for its schema version. */
export async function connectStore(config: Config, catalog: Catalog, extra: Partial<StoreOptions> = {}, o: { workspace?: string; readOnly?: boolean } = {}): Promise<Store> {
  if (!config.database) {
    refuseWorkspaceOnSqlite(config);
    return openStore(config, catalog, extra);
  }
  // A workspace of several (OAuth) has its approvers recorded in its audit chain, not in ISMS_APPROVERS.
  const workspace = o.workspace ?? config.workspace ?? defaultWorkspace;
  const more: Partial<StoreOptions> = workspace === defaultWorkspace ? extra : { approversFrom: 'record', ...extra };
  return (await openPostgres(config, catalog, more, workspace, undefined, o.readOnly, workspace !== defaultWorkspace)).store;
}

/** The store and the chat state (the bot and the console): both in ISMS_DATA_DIR, or both in PostgreSQL. */
export async function openStorage(config: Config, catalog: Catalog, o: { onLost?: (e: Error) => void; workspace?: string; onConnectionError?: (e: Error) => void } = {}): Promise<Storage> {
  if (!config.database) {
    refuseWorkspaceOnSqlite(config);
    const store = openStore(config, catalog);
    const state = new ChatState(config.dataDir, undefined, o.onLost);
    return { store, state, close: async () => { await state.close(); await store.close(); } };
  }
  // The console or the bot of one workspace of several (ISMS_WORKSPACE) keeps that workspace's recorded approvers.
  const workspace = o.workspace ?? config.workspace ?? defaultWorkspace;
  const severalWorkspaces = !!config.slack.oauth || workspace !== defaultWorkspace;
  const { store, app } = await openPostgres(config, catalog, workspace === defaultWorkspace ? {} : { approversFrom: 'record' }, workspace, o.onConnectionError, false, severalWorkspaces);
  const { PgChatState } = await import('../chat/pg-state.js');
  const state = new PgChatState(app, workspace);
  const { PgDb } = await import('./pg/engine.js');
  const opened: { store: Store; state: ChatStateApi }[] = [];
  const openWorkspace = (workspace: string) => {
    // Its own approvers (recorded) and its own directory of display names.
    const one = { store: new Store(new PgDb(app, workspace, { ownsPool: false }), storeOptions(config, catalog, { approversFrom: 'record', people: new PeopleDirectory() })), state: new PgChatState(app, workspace) };
    opened.push(one);
    return Promise.resolve(one);
  };
  return {
    store, state, pool: app, openWorkspace,
    close: async () => {
      for (const w of opened) {
        await w.state.close();
        await w.store.close();
      }
      await state.close();
      await store.close();
    },
  };
}

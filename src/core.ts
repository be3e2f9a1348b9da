// Builds the channel-neutral core once: catalogue, search, answers, SoA store, chat state and the chat service.
//
// Several workspaces (OAuth): the catalogue, search index and answer engine are shared; the store, chat state, chat
// service and assessments belong to one workspace each. A request runs inside core.within(workspace, ...), and
// core.store (and the others) are that workspace's, read from an AsyncLocalStorage: no listener names a workspace, so
// none can reach another one's records. Outside within() they are the single workspace's, or with several workspaces
// an error. Row-level security in PostgreSQL is the second wall.
import { AsyncLocalStorage } from 'node:async_hooks';
import { join } from 'node:path';
import { createAnswerEngine, createContext, openSearch, type AppContext } from './app.js';
import type { AnswerEngine } from './answer/engine.js';
import { Assessments } from './assessment/session.js';
import { ChatService } from './chat/service.js';
import type { ChatStateApi } from './chat/state.js';
import type { Config } from './config.js';
import { withWorkspace, type Logger } from './log.js';
import type { SearchEngine } from './search/engine.js';
import { openStorage, sqliteLeftBehind, type Storage } from './soa/connect.js';
import type { Store } from './soa/index.js';
import { validWorkspace } from './slack/installations.js';

/** What belongs to one workspace. */
export interface WorkspaceParts {
  id: string;
  store: Store;
  state: ChatStateApi;
  chat: ChatService;
  assessments: Assessments;
}

export interface Core {
  ctx: AppContext;
  search: SearchEngine;
  answers: AnswerEngine;
  /** The store, chat state, chat service and assessments of the workspace in scope (see within()). */
  readonly store: Store;
  readonly state: ChatStateApi;
  readonly chat: ChatService;
  readonly assessments: Assessments;
  /** True when the deployment serves several workspaces (OAuth); then every request must run in within(). */
  severalWorkspaces: boolean;
  /** Runs fn with `workspace`'s store and state as core.store and core.state (one workspace: its own, whatever the ID). */
  within<T>(workspace: string, fn: () => Promise<T>): Promise<T>;
  /** The workspace in scope, if any. */
  workspace(): string | undefined;
  /** What the whole deployment shares: replay memory of signed requests and its secrets (not per workspace). */
  shared: Pick<ChatStateApi, 'firstRequest' | 'secret'>;
  /** The storage behind the store (the PostgreSQL pool holds the Slack installations too). */
  storage: Storage;
  close(): Promise<void>;
}

export async function createCore(config: Config, log?: Logger): Promise<Core> {
  const ctx = await createContext(config, log);
  // The store first: a database that cannot be reached stops the start before the search index is built.
  const storage = await openStorage(config, ctx.catalog, { onLost: (e) => ctx.log.error('chat state not saved', { error: e.message }),
    onConnectionError: (e) => ctx.log.warn('PostgreSQL connection lost; the next request reconnects', { error: e.message }) });
  let search: SearchEngine;
  try {
    search = await openSearch(ctx);
  } catch (e) {
    await storage.close();
    throw e;
  }
  const leftBehind = sqliteLeftBehind(config);
  if (leftBehind) ctx.log.warn(leftBehind);
  const severalWorkspaces = !!config.slack.oauth;
  const scope = new AsyncLocalStorage<WorkspaceParts>();
  // Every log line of a request names its workspace, so an operator can follow one workspace's trouble.
  if (severalWorkspaces) ctx.log = withWorkspace(ctx.log, () => scope.getStore()?.id);
  const holder: { single?: WorkspaceParts } = {};
  const current = (): WorkspaceParts => {
    const parts = scope.getStore() ?? (severalWorkspaces ? undefined : holder.single);
    if (!parts) throw new Error('no workspace in scope: with several workspaces, every request runs in core.within(workspace)');
    return parts;
  };
  // The organisation's role for answers: the SoA profile of the workspace in scope when it exists, else ISMS_ROLE.
  const defaultRole = async () => {
    const { store } = current();
    const roles = await store.profile.get() ? await store.profileRoles() : null;
    if (!roles) return config.role;
    return roles.length === 2 ? 'both' : roles[0]!;
  };
  const answers = createAnswerEngine(ctx, search, { defaultRole });
  const partsOf = (id: string, store: Store, state: ChatStateApi): WorkspaceParts => {
    const assessments = new Assessments({ ctx, store, state, search });
    const chat = new ChatService({
      catalog: ctx.catalog, answers, store, state, defaultLang: config.lang,
      exportDir: join(config.dataDir, 'exports'), assessments, timezone: config.timezone, log: ctx.log,
    });
    return { id, store, state, chat, assessments };
  };
  const single = partsOf('default', storage.store, storage.state);
  holder.single = single;
  // Opened once per workspace and kept (a deployment serves a handful to a few hundred workspaces).
  const opened = new Map<string, Promise<WorkspaceParts>>();
  const open = (id: string): Promise<WorkspaceParts> => {
    let p = opened.get(id);
    if (!p) {
      if (!validWorkspace(id)) return Promise.reject(new Error(`"${id.slice(0, 40)}" is not a Slack team or enterprise ID`));
      if (!storage.openWorkspace) return Promise.reject(new Error('several workspaces need DATABASE_URL (PostgreSQL)'));
      p = storage.openWorkspace(id).then(({ store, state }) => partsOf(id, store, state));
      p.catch(() => opened.delete(id));
      opened.set(id, p);
    }
    return p;
  };
  return {
    ctx, search, answers, severalWorkspaces, storage,
    get store() { return current().store; },
    get state() { return current().state; },
    get chat() { return current().chat; },
    get assessments() { return current().assessments; },
    within: async (workspace, fn) => (severalWorkspaces ? scope.run(await open(workspace), fn) : fn()),
    workspace: () => scope.getStore()?.id ?? (severalWorkspaces ? undefined : single.id),
    shared: { firstRequest: (sig, ts) => storage.state.firstRequest(sig, ts), secret: (name) => storage.state.secret(name) },
    close: () => storage.close(),
  };
}

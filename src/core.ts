// Builds the channel-neutral core once: catalogue, search, answers, SoA store, chat state and the chat service.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAnswerEngine, createContext, openSearch, type AppContext } from './app.js';
import type { AnswerEngine } from './answer/engine.js';
import { Assessments } from './assessment/session.js';
import { ChatService } from './chat/service.js';
import type { ChatStateApi } from './chat/state.js';
import type { Config } from './config.js';
import type { Logger } from './log.js';
import type { SearchEngine } from './search/engine.js';
import { openStorage, sqliteLeftBehind } from './soa/connect.js';
import type { Store } from './soa/index.js';

export interface Core {
  ctx: AppContext;
  search: SearchEngine;
  answers: AnswerEngine;
  store: Store;
  state: ChatStateApi;
  chat: ChatService;
  assessments: Assessments;
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
  const { store, state } = storage;
  const leftBehind = sqliteLeftBehind(config);
  if (leftBehind) ctx.log.warn(leftBehind);
  // The organisation's role for answers: the SoA profile when it exists, else ISMS_ROLE.
  const defaultRole = async () => {
    const roles = await store.profile.get() ? await store.profileRoles() : null;
    if (!roles) return config.role;
    return roles.length === 2 ? 'both' : roles[0]!;
  };
  const answers = createAnswerEngine(ctx, search, { defaultRole });
  const assessments = new Assessments({ ctx, store, state, search });
  const chat = new ChatService({
    catalog: ctx.catalog, answers, store, state, approvers: config.approvers, defaultLang: config.lang,
    exportDir: join(tmpdir(), 'isms-exports'), assessments, timezone: config.timezone, log: ctx.log,
  });
  return { ctx, search, answers, store, state, chat, assessments, close: () => storage.close() };
}

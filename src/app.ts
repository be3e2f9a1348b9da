// Wiring shared by the CLI, the console chat and the Slack app: configuration, catalogue and search engine.
import { join } from 'node:path';
import { AnswerEngine } from './answer/engine.js';
import type { AnswerRole } from './answer/extractive.js';
import { OpenAIChat } from './answer/llm.js';
import type { Catalog } from './catalog/catalog.js';
import { openCatalog } from './catalog/open.js';
import { loadConfig, type Config } from './config.js';
import { createLogger, type Logger } from './log.js';
import type { Progress } from './progress.js';
import { createEmbedder } from './search/embed.js';
import { SearchEngine } from './search/engine.js';

export interface AppContext {
  config: Config;
  catalog: Catalog;
  log: Logger;
}

export async function createContext(config: Config = loadConfig(), log?: Logger): Promise<AppContext> {
  return { config, catalog: await openCatalog(config.corpusDir, { cacheDir: join(config.dataDir, 'cache') }), log: log ?? createLogger(config.logLevel) };
}

export async function openSearch(ctx: AppContext, opts: { progress?: Progress; force?: boolean } = {}): Promise<SearchEngine> {
  // `index` (force) tries a model fetch again even if one failed recently; a start does not (src/search/embed.ts).
  const embedder = await createEmbedder(ctx.config, ctx.log, { retryFetch: opts.force });
  return SearchEngine.open({
    catalog: ctx.catalog, dataDir: ctx.config.dataDir, docsDir: ctx.config.docsDir, embedder, log: ctx.log, ...opts,
  });
}

export function createAnswerEngine(ctx: AppContext, search: SearchEngine, opts: { defaultRole?: () => AnswerRole | Promise<AnswerRole> } = {}): AnswerEngine {
  const o = ctx.config.openai;
  const chat = o.enabled ? new OpenAIChat({ apiKey: o.apiKey, baseURL: o.baseURL, model: o.model, timeoutMs: o.timeoutMs, maxRetries: 1 }) : null;
  return new AnswerEngine(ctx.catalog, search, { chat, log: ctx.log, defaultRole: opts.defaultRole ?? (() => ctx.config.role), cacheDir: join(ctx.config.dataDir, 'cache') });
}

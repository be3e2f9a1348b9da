// Embedders for dense retrieval: transformers.js (default, local), OpenAI embeddings, or off.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { Logger } from '../log.js';

export type EmbedKind = 'query' | 'passage';

export interface Embedder {
  /** Identifies model and settings; a change invalidates the stored vectors. */
  readonly id: string;
  embed(texts: string[], kind: EmbedKind): Promise<number[][]>;
}

/** e5 models are trained with "query: " / "passage: " prefixes and need them at inference time. */
export function e5Prefix(modelId: string, kind: EmbedKind): string {
  return /e5/i.test(modelId) ? `${kind}: ` : '';
}

export interface LoadOptions {
  /** Folder of hub models cached by earlier fetches (ISMS_DATA_DIR/models). */
  cacheDir: string;
  /** Fetch what the cache lacks from the hub (false: cache and local folders only). */
  allowRemote?: boolean;
  /** A read-only folder of pre-fetched models laid out as <owner>/<name>/... (the image's /app/models). */
  modelsDir?: string;
  /** The hub to fetch from (HF_ENDPOINT); default https://huggingface.co/. */
  remoteHost?: string;
  log?: Logger;
}

export class TransformersEmbedder implements Embedder {
  private constructor(readonly id: string, private readonly run: (texts: string[]) => Promise<number[][]>, private readonly modelId: string) {}

  /**
   * Loads a feature-extraction model: a local folder (a path that exists), a pre-fetched model in modelsDir, or a hub
   * ID from the cache (fetched into it when allowed). `options` as a string is the cache folder. Throws when the model
   * cannot be loaded (offline, no cache).
   */
  static async load(model: string, options: LoadOptions | string): Promise<TransformersEmbedder> {
    const o: LoadOptions = typeof options === 'string' ? { cacheDir: options } : options;
    const { env, pipeline } = await import('@huggingface/transformers');
    const local = existsSync(model) ? resolve(model) : undefined;
    let modelId = model;
    if (local) {
      // transformers.js only prefixes localModelPath to IDs shaped like "owner/name".
      env.localModelPath = dirname(dirname(local));
      env.allowLocalModels = true;
      env.allowRemoteModels = false;
      modelId = `${basename(dirname(local))}/${basename(local)}`;
    } else {
      mkdirSync(o.cacheDir, { recursive: true });
      env.cacheDir = o.cacheDir;
      // A pre-fetched copy is read where it lies; looking there for a model it does not hold would only warn.
      const prefetched = !!o.modelsDir && existsSync(join(o.modelsDir, model, 'config.json'));
      env.allowLocalModels = prefetched;
      if (prefetched) env.localModelPath = o.modelsDir!;
      env.allowRemoteModels = !prefetched && (o.allowRemote ?? true);
      if (o.remoteHost) env.remoteHost = o.remoteHost.endsWith('/') ? o.remoteHost : `${o.remoteHost}/`;
    }
    // The first run downloads the model (about 120 MB for multilingual-e5-small): show it, a line per 10 % per file.
    const shown = new Map<string, number>();
    const progress_callback = (p: { status?: string; file?: string; progress?: number }) => {
      if (p.status !== 'progress' || !p.file || p.progress === undefined) return;
      const step = Math.floor(p.progress / 10);
      if (step > (shown.get(p.file) ?? -1)) {
        shown.set(p.file, step);
        o.log?.info(`downloading ${model}/${p.file}: ${Math.round(p.progress)}%`, { model, file: p.file, progress: Math.round(p.progress) });
      }
    };
    const extractor = await pipeline('feature-extraction', modelId, { dtype: 'fp32', progress_callback });
    const run = async (texts: string[]) => {
      const out = await extractor(texts, { pooling: 'mean', normalize: true });
      return out.tolist() as number[][];
    };
    return new TransformersEmbedder(`transformers:${model}`, run, modelId);
  }

  async embed(texts: string[], kind: EmbedKind): Promise<number[][]> {
    const p = e5Prefix(this.modelId, kind);
    return this.run(texts.map((t) => p + t));
  }
}

export class OpenAIEmbedder implements Embedder {
  readonly id: string;
  constructor(private readonly client: { embeddings: { create(a: { model: string; input: string[] }): Promise<{ data: { embedding: number[]; index: number }[] }> } }, private readonly model: string) {
    this.id = `openai:${model}`;
  }

  async embed(texts: string[]): Promise<number[][]> {
    const r = await this.client.embeddings.create({ model: this.model, input: texts });
    return [...r.data].sort((a, b) => a.index - b.index).map((d) => d.embedding);
  }
}

export interface EmbedderConfig {
  embeddings: 'auto' | 'transformers' | 'openai' | 'off';
  embeddingModel: string;
  dataDir: string;
  modelsDir?: string;
  modelHost?: string;
  openai: { apiKey?: string; baseURL?: string; embeddingModel: string; timeoutMs: number; enabled: boolean };
}

/** A failed fetch is not tried again for this long (or until EMBEDDING_MODEL or HF_ENDPOINT changes). */
export const fetchRetryMs = 24 * 60 * 60 * 1000;

/** How long a start waits for a first fetch before it goes on lexical-only (the fetch goes on in the background). */
const fetchWaitMs = 20_000;

/** What is remembered of a failed fetch, in ISMS_DATA_DIR/models/fetch-failed.json. */
export interface FetchFailure {
  model: string;
  host: string;
  at: string;
  reason: string;
}

const failureFile = (dataDir: string) => join(dataDir, 'models', 'fetch-failed.json');

export function readFetchFailure(dataDir: string): FetchFailure | undefined {
  try {
    const f = JSON.parse(readFileSync(failureFile(dataDir), 'utf8')) as FetchFailure;
    return typeof f.model === 'string' && typeof f.at === 'string' ? f : undefined;
  } catch {
    return undefined;
  }
}

function writeFetchFailure(dataDir: string, f: FetchFailure, log: Logger): void {
  try {
    mkdirSync(dirname(failureFile(dataDir)), { recursive: true });
    writeFileSync(failureFile(dataDir), JSON.stringify(f, null, 2) + '\n');
  } catch (e) {
    log.debug('could not remember the failed model fetch', { error: (e as Error).message });
  }
}

function clearFetchFailure(dataDir: string): void {
  rmSync(failureFile(dataDir), { force: true });
}

export interface EmbedderOptions {
  /** Fetch now even when a recent fetch failed (`index` does: it is asked for explicitly). */
  retryFetch?: boolean;
  now?: () => Date;
  /** Tests: how long a start waits for a first fetch. */
  fetchWaitMs?: number;
}

/**
 * The configured embedder, or null for lexical-only search. A model that cannot be loaded is not an error: search
 * carries on lexical-only and says so. A hub model is first looked for where it may already be (the image's models
 * folder, the cache), with no network; only then fetched, unless a fetch of the same model from the same hub failed
 * less than a day ago (remembered in the data folder), so an offline bot does not try, wait and warn at every start.
 * A first fetch that takes longer than fetchWaitMs goes on in the background and the start goes on without it.
 */
export async function createEmbedder(config: EmbedderConfig, log: Logger, opts: EmbedderOptions = {}): Promise<Embedder | null> {
  const mode = config.embeddings === 'auto' ? (config.openai.enabled && config.openai.apiKey ? 'openai' : 'transformers') : config.embeddings;
  if (mode === 'off') return null;
  if (mode === 'openai') {
    const { default: OpenAI } = await import('openai');
    const client = new OpenAI({ apiKey: config.openai.apiKey ?? 'unset', baseURL: config.openai.baseURL, timeout: config.openai.timeoutMs, maxRetries: 1 });
    return new OpenAIEmbedder(client, config.openai.embeddingModel);
  }
  const model = config.embeddingModel;
  const base = { cacheDir: join(config.dataDir, 'models'), modelsDir: config.modelsDir, remoteHost: config.modelHost, log };
  const hint = 'Set EMBEDDING_MODEL to a local model folder, build the image with PREFETCH_MODEL, or EMBEDDINGS=off to silence this.';
  // 1. Without the network: a local folder, the models folder, or the cache. transformers.js (about 0.1 s to import)
  // is only loaded when one of them holds the model.
  const present = existsSync(model) || [base.modelsDir, base.cacheDir].some((d) => d !== undefined && existsSync(join(d, model, 'config.json')));
  if (present) {
    try {
      return await TransformersEmbedder.load(model, { ...base, allowRemote: false });
    } catch (e) {
      if (existsSync(model)) {
        log.warn(`embedding model "${model}" could not be loaded; search runs lexical-only. ${hint}`, { reason: firstLine(e) });
        return null;
      }
    }
  }
  // 2. A fetch, unless one failed recently.
  const now = opts.now ?? (() => new Date());
  const host = config.modelHost ?? 'https://huggingface.co/';
  const failed = readFetchFailure(config.dataDir);
  if (!opts.retryFetch && failed && failed.model === model && failed.host === host && now().getTime() - Date.parse(failed.at) < fetchRetryMs) {
    const next = new Date(Date.parse(failed.at) + fetchRetryMs).toISOString();
    log.info(`embedding model "${model}" is not fetched: the last try failed at ${failed.at} (${failed.reason}); search runs lexical-only. Next try after ${next}, or now with "index".`, { model, failedAt: failed.at, nextTry: next });
    return null;
  }
  const fetching = TransformersEmbedder.load(model, { ...base, allowRemote: true }).then(
    (embedder) => {
      clearFetchFailure(config.dataDir);
      return embedder;
    },
    (e: unknown) => {
      writeFetchFailure(config.dataDir, { model, host, at: now().toISOString(), reason: firstLine(e) }, log);
      throw e;
    },
  );
  let timer: NodeJS.Timeout | undefined;
  const waited = new Promise<'waiting'>((r) => { timer = setTimeout(() => r('waiting'), opts.fetchWaitMs ?? fetchWaitMs); timer.unref(); });
  try {
    const r = await Promise.race([fetching, waited]);
    if (r !== 'waiting') return r;
    fetching.then(() => log.info(`embedding model "${model}" fetched; the next start uses it`), (e) => log.warn(`embedding model "${model}" could not be fetched`, { reason: firstLine(e) }));
    log.info(`embedding model "${model}" is still being fetched; this run searches lexical-only, the next start uses it`);
    return null;
  } catch (e) {
    log.warn(`embedding model "${model}" could not be loaded; search runs lexical-only. It is not fetched again for a day (or until EMBEDDING_MODEL changes). ${hint}`, { reason: firstLine(e) });
    return null;
  } finally {
    clearTimeout(timer);
  }
}

function firstLine(e: unknown): string {
  return String((e as Error)?.message ?? e).split('\n')[0]!.slice(0, 300);
}

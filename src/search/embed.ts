// Embedders for dense retrieval: transformers.js (default, local), OpenAI embeddings, or off.
import { existsSync, mkdirSync } from 'node:fs';
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

export class TransformersEmbedder implements Embedder {
  private constructor(readonly id: string, private readonly run: (texts: string[]) => Promise<number[][]>, private readonly modelId: string) {}

  /**
   * Loads a feature-extraction model: a local folder (a path that exists) or a hub ID, cached under cacheDir.
   * Throws when the model cannot be loaded (offline, no cache).
   */
  static async load(model: string, cacheDir: string, opts: { allowRemote?: boolean } = {}): Promise<TransformersEmbedder> {
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
      mkdirSync(cacheDir, { recursive: true });
      env.cacheDir = cacheDir;
      env.allowRemoteModels = opts.allowRemote ?? true;
    }
    // The first run downloads the model (about 120 MB for multilingual-e5-small): show it, a line per 10 % per file.
    const shown = new Map<string, number>();
    const progress_callback = (p: { status?: string; file?: string; progress?: number }) => {
      if (p.status !== 'progress' || !p.file || p.progress === undefined) return;
      const step = Math.floor(p.progress / 10);
      if (step > (shown.get(p.file) ?? -1)) {
        shown.set(p.file, step);
        process.stderr.write(`downloading ${model}/${p.file}: ${Math.round(p.progress)}%\n`);
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
  openai: { apiKey?: string; baseURL?: string; embeddingModel: string; timeoutMs: number; enabled: boolean };
}

/**
 * The configured embedder, or null for lexical-only search. A model that cannot be loaded is not an error:
 * search carries on lexical-only and says so once.
 */
export async function createEmbedder(config: EmbedderConfig, log: Logger): Promise<Embedder | null> {
  const mode = config.embeddings === 'auto' ? (config.openai.enabled && config.openai.apiKey ? 'openai' : 'transformers') : config.embeddings;
  if (mode === 'off') return null;
  if (mode === 'openai') {
    const { default: OpenAI } = await import('openai');
    const client = new OpenAI({ apiKey: config.openai.apiKey ?? 'unset', baseURL: config.openai.baseURL, timeout: config.openai.timeoutMs, maxRetries: 1 });
    return new OpenAIEmbedder(client, config.openai.embeddingModel);
  }
  try {
    return await TransformersEmbedder.load(config.embeddingModel, join(config.dataDir, 'models'));
  } catch (e) {
    log.warn(`embedding model "${config.embeddingModel}" could not be loaded; search runs lexical-only. Set EMBEDDING_MODEL to a local model folder, or EMBEDDINGS=off to silence this.`, { reason: (e as Error).message.split('\n')[0] });
    return null;
  }
}

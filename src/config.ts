// One typed configuration, read from the environment. A bad value fails with the variable's name and the fix.
import { resolve } from 'node:path';
import { z } from 'zod';

const roleSchema = z.enum(['customer', 'provider', 'both']);

const schema = z.object({
  ISMS_DATA_DIR: z.string().default('./data'),
  ISMS_CORPUS_DIR: z.string().optional(),
  ISMS_DOCS_DIR: z.string().optional(),
  ISMS_ROLE: roleSchema.default('both'),
  ISMS_LANG: z.enum(['ja', 'en']).default('ja'),
  ISMS_APPROVERS: z.string().default(''),
  EMBEDDINGS: z.enum(['auto', 'transformers', 'openai', 'off']).default('auto'),
  EMBEDDING_MODEL: z.string().default('Xenova/multilingual-e5-small'),
  OPENAI_API_KEY: z.string().optional(),
  OPENAI_BASE_URL: z.string().url('must be a URL such as http://127.0.0.1:8080/v1').optional(),
  OPENAI_MODEL: z.string().default('gpt-4o-mini'),
  OPENAI_EMBEDDING_MODEL: z.string().default('text-embedding-3-small'),
  OPENAI_TIMEOUT_MS: z.coerce.number().int().positive().default(20_000),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
});

export type Config = ReturnType<typeof toConfig>;

function toConfig(e: z.infer<typeof schema>) {
  return {
    dataDir: resolve(e.ISMS_DATA_DIR),
    corpusDir: e.ISMS_CORPUS_DIR ? resolve(e.ISMS_CORPUS_DIR) : undefined,
    docsDir: e.ISMS_DOCS_DIR ? resolve(e.ISMS_DOCS_DIR) : undefined,
    role: e.ISMS_ROLE,
    lang: e.ISMS_LANG,
    approvers: e.ISMS_APPROVERS.split(',').map((s) => s.trim()).filter(Boolean),
    embeddings: e.EMBEDDINGS,
    embeddingModel: e.EMBEDDING_MODEL,
    openai: {
      apiKey: e.OPENAI_API_KEY,
      baseURL: e.OPENAI_BASE_URL,
      model: e.OPENAI_MODEL,
      embeddingModel: e.OPENAI_EMBEDDING_MODEL,
      timeoutMs: e.OPENAI_TIMEOUT_MS,
      enabled: !!(e.OPENAI_API_KEY || e.OPENAI_BASE_URL),
    },
    logLevel: e.LOG_LEVEL,
  };
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Reads the configuration; empty strings count as unset. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const r = schema.safeParse(cleaned);
  if (!r.success) {
    const lines = r.error.issues.map((i) => `  ${i.path.join('.')}=${JSON.stringify(cleaned[String(i.path[0])])}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return toConfig(r.data);
}

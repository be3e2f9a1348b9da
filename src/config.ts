// One typed configuration, read from the environment. A bad value fails with the variable's name and the fix.
import { resolve } from 'node:path';
import { Cron } from 'croner';
import { z } from 'zod';
import { registerSecret } from './log.js';

const roleSchema = z.enum(['customer', 'provider', 'both']);

const schema = z.object({
  ISMS_DATA_DIR: z.string().default('./data'),
  ISMS_CORPUS_DIR: z.string().optional(),
  ISMS_DOCS_DIR: z.string().optional(),
  ISMS_ROLE: roleSchema.default('both'),
  ISMS_LANG: z.enum(['ja', 'en']).default('ja'),
  ISMS_APPROVERS: z.string().default(''),
  ISMS_RISK_LEVELS: z.string().default('low:1-6,medium:7-14,high:15-25').transform(parseRiskLevels),
  EMBEDDINGS: z.enum(['auto', 'transformers', 'openai', 'off']).default('auto'),
  EMBEDDING_MODEL: z.string().default('Xenova/multilingual-e5-small'),
  /** A read-only folder of pre-fetched models (the Docker image's /app/models), looked in before the cache. */
  ISMS_MODELS_DIR: z.string().optional(),
  /** Where hub models are fetched from: a mirror of the Hugging Face Hub (default https://huggingface.co/). */
  HF_ENDPOINT: z.string().url('must be a URL such as https://huggingface.co/').optional(),
  OPENAI_API_KEY: z.string().optional(),
  OPENAI_BASE_URL: z.string().url('must be a URL such as http://127.0.0.1:8080/v1').optional(),
  OPENAI_MODEL: z.string().default('gpt-4o-mini'),
  OPENAI_EMBEDDING_MODEL: z.string().default('text-embedding-3-small'),
  OPENAI_TIMEOUT_MS: z.coerce.number().int().positive().default(20_000),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  /** auto: JSON lines in Slack mode unless stderr is a terminal, text otherwise. */
  LOG_FORMAT: z.enum(['auto', 'json', 'pretty']).default('auto'),
  SLACK_BOT_TOKEN: z.string().regex(/^xoxb-/, 'must be a bot token starting with xoxb-').optional(),
  SLACK_APP_TOKEN: z.string().regex(/^xapp-/, 'must be an app-level token starting with xapp-').optional(),
  SLACK_SIGNING_SECRET: z.string().optional(),
  SLACK_API_URL: z.string().url().regex(/\/api\/$/, 'must end with /api/, e.g. http://127.0.0.1:9999/api/').optional(),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  /** GET /healthz on this port in every Slack mode: 200 while connected to Slack, 503 while not. */
  HEALTH_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  ISMS_ALLOW_BOTS: z.enum(['true', 'false']).default('false'),
  /** Answers worked on at once behind the ack; messages of one thread always in order. */
  ISMS_SLACK_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  /** The 👀 reaction goes on a message whose answer is not posted within this many milliseconds (0: always). */
  ISMS_SLACK_PROGRESS_MS: z.coerce.number().int().min(0).max(60_000).default(1500),
  /** Four-eyes: nobody approves their own proposal, assessment or SoA changes (decisions, assessments, publishing). */
  ISMS_FOUR_EYES: z.enum(['true', 'false']).default('false'),
  ISMS_DIGEST_CRON: z.string().default('0 9 * * 1').superRefine(checkCron),
  ISMS_TIMEZONE: z.string().default('Asia/Tokyo').refine(isTimeZone, 'must be an IANA time zone such as Asia/Tokyo, Europe/London or UTC'),
  ISMS_DIGEST_CHANNEL: z.string().regex(/^[CG][A-Z0-9]{2,}$/, 'must be a Slack channel ID such as C0123ABCD (channel details → copy channel ID), not a name').optional(),
  ISMS_DIGEST_LANG: z.enum(['ja', 'en']).optional(),
  /** The Annex A edition of a new store's SoA; an existing store keeps the edition it records (see soa transition). */
  ISMS_SOA_EDITION: z.enum(['2022', '2013']).optional(),
  ISMS_AUDIT_INTERVAL_MONTHS: z.coerce.number().int().min(1).max(36).default(12),
});

/** A standard five-field cron expression (minute hour day-of-month month day-of-week) that croner accepts. */
function checkCron(raw: string, ctx: z.RefinementCtx): void {
  try {
    new Cron(raw, { mode: '5-part' });
  } catch (e) {
    ctx.addIssue({ code: 'custom', message: `not a cron expression (${(e as Error).message}); write five fields "minute hour day-of-month month day-of-week", e.g. "0 9 * * 1" for Monday 09:00` });
  }
}

export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export type Config = ReturnType<typeof toConfig>;

export interface RiskLevel { name: string; min: number; max: number }

/** "low:1-6,medium:7-14,high:15-25": named score bands that cover 1 to 25 (likelihood x impact) without gaps. */
function parseRiskLevels(raw: string, ctx: z.RefinementCtx): RiskLevel[] {
  const levels: RiskLevel[] = [];
  for (const part of raw.split(',').map((s) => s.trim()).filter(Boolean)) {
    const m = /^([a-z][\w-]*):(\d+)-(\d+)$/i.exec(part);
    if (!m) {
      ctx.addIssue({ code: 'custom', message: `"${part}" must look like name:min-max, e.g. low:1-6` });
      return z.NEVER;
    }
    levels.push({ name: m[1]!, min: Number(m[2]), max: Number(m[3]) });
  }
  let next = 1;
  for (const l of levels) {
    if (l.min !== next || l.max < l.min) {
      ctx.addIssue({ code: 'custom', message: `bands must run from 1 to 25 in order without gaps or overlaps (at "${l.name}:${l.min}-${l.max}", expected it to start at ${next}), e.g. low:1-6,medium:7-14,high:15-25` });
      return z.NEVER;
    }
    next = l.max + 1;
  }
  if (next !== 26) {
    ctx.addIssue({ code: 'custom', message: 'bands must end at 25 (5 x 5), e.g. low:1-6,medium:7-14,high:15-25' });
    return z.NEVER;
  }
  return levels;
}

function toConfig(e: z.infer<typeof schema>) {
  return {
    dataDir: resolve(e.ISMS_DATA_DIR),
    corpusDir: e.ISMS_CORPUS_DIR ? resolve(e.ISMS_CORPUS_DIR) : undefined,
    docsDir: e.ISMS_DOCS_DIR ? resolve(e.ISMS_DOCS_DIR) : undefined,
    role: e.ISMS_ROLE,
    lang: e.ISMS_LANG,
    approvers: e.ISMS_APPROVERS.split(',').map((s) => s.trim()).filter(Boolean),
    fourEyes: e.ISMS_FOUR_EYES === 'true',
    riskLevels: e.ISMS_RISK_LEVELS,
    embeddings: e.EMBEDDINGS,
    embeddingModel: e.EMBEDDING_MODEL,
    modelsDir: e.ISMS_MODELS_DIR ? resolve(e.ISMS_MODELS_DIR) : undefined,
    modelHost: e.HF_ENDPOINT,
    openai: {
      apiKey: e.OPENAI_API_KEY,
      baseURL: e.OPENAI_BASE_URL,
      model: e.OPENAI_MODEL,
      embeddingModel: e.OPENAI_EMBEDDING_MODEL,
      timeoutMs: e.OPENAI_TIMEOUT_MS,
      enabled: !!(e.OPENAI_API_KEY || e.OPENAI_BASE_URL),
    },
    logLevel: e.LOG_LEVEL,
    logFormat: e.LOG_FORMAT,
    slack: {
      botToken: e.SLACK_BOT_TOKEN,
      appToken: e.SLACK_APP_TOKEN,
      signingSecret: e.SLACK_SIGNING_SECRET,
      apiUrl: e.SLACK_API_URL,
      port: e.PORT,
      healthPort: e.HEALTH_PORT,
      allowBots: e.ISMS_ALLOW_BOTS === 'true',
      concurrency: e.ISMS_SLACK_CONCURRENCY,
      progressMs: e.ISMS_SLACK_PROGRESS_MS,
    },
    /** Local dates (weeks, overdue reviews and audits) and the digest schedule use this time zone. */
    timezone: e.ISMS_TIMEZONE,
    auditIntervalMonths: e.ISMS_AUDIT_INTERVAL_MONTHS,
    /** Unset means 2022 for a new store; a store that already has decisions keeps the edition it records. */
    soaEdition: e.ISMS_SOA_EDITION,
    digest: {
      cron: e.ISMS_DIGEST_CRON,
      channel: e.ISMS_DIGEST_CHANNEL,
      lang: e.ISMS_DIGEST_LANG ?? e.ISMS_LANG,
    },
  };
}

export type StartMode = { mode: 'socket' | 'http' | 'console' } | { mode: 'invalid'; message: string };

/** How `npm start` runs: Socket Mode, HTTP mode, or the console chat; a partial Slack setup names what is missing. */
export function startMode(c: Config): StartMode {
  const { botToken, appToken, signingSecret } = c.slack;
  if (botToken && appToken) return { mode: 'socket' };
  if (botToken && signingSecret) return { mode: 'http' };
  if (botToken) return { mode: 'invalid', message: 'SLACK_BOT_TOKEN is set, but neither SLACK_APP_TOKEN (Socket Mode, recommended) nor SLACK_SIGNING_SECRET (HTTP mode) is. Set one of them, or unset SLACK_BOT_TOKEN to use the console chat.' };
  if (appToken || signingSecret) return { mode: 'invalid', message: `${appToken ? 'SLACK_APP_TOKEN' : 'SLACK_SIGNING_SECRET'} is set, but SLACK_BOT_TOKEN (xoxb-...) is missing. Set it, or unset the other Slack variables to use the console chat.` };
  return { mode: 'console' };
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Reads the configuration; empty strings count as unset. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const r = schema.safeParse(cleaned);
  const secret = (key: string) => /TOKEN|SECRET|KEY/.test(key);
  for (const [k, v] of Object.entries(cleaned)) if (secret(k)) registerSecret(v);
  if (!r.success) {
    // A secret's value is never printed, not even a wrong one: only its first characters.
    const shown = (key: string) => {
      const v = String(cleaned[key] ?? '');
      return secret(key) ? `"${v.slice(0, 5)}…" (${v.length} characters)` : JSON.stringify(cleaned[key]);
    };
    const lines = r.error.issues.map((i) => `  ${i.path.join('.')}=${shown(String(i.path[0]))}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return toConfig(r.data);
}

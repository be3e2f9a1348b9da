// One typed configuration, read from the environment. A bad value fails with the variable's name and the fix.
import { resolve } from 'node:path';
import { Cron } from 'croner';
import { checked, Invalid, isUrl, oneOf, readEnv, text, wholeNumber, type Values } from './env.js';
import { registerSecret } from './log.js';

/** A PostgreSQL connection URL; anything else is refused with the form to use. */
function postgresUrl(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    // named below
  }
  if (!url || !/^postgres(ql)?:$/.test(url.protocol) || !url.hostname) {
    throw new Invalid('must be a PostgreSQL URL such as postgres://isms_app:PASSWORD@db:5432/isms (unset it to use the SQLite file in ISMS_DATA_DIR)');
  }
  return raw;
}

const spec = {
  ISMS_DATA_DIR: text('./data'),
  /** The PostgreSQL store (several instances, several workspaces); unset: the SQLite file in ISMS_DATA_DIR. */
  DATABASE_URL: postgresUrl,
  /** With DATABASE_URL and several workspaces: the workspace (Slack team or enterprise ID) the CLI reads and writes. */
  ISMS_WORKSPACE: checked((v) => /^[A-Z0-9]{2,32}$/.test(v), 'must be a Slack team or enterprise ID such as T0123ABCD (the workspace whose records the CLI reads and writes)'),
  /** The role that owns the tables and migrates them; default DATABASE_URL (then nothing is append-only by permission). */
  DATABASE_ADMIN_URL: postgresUrl,
  ISMS_CORPUS_DIR: text(),
  ISMS_DOCS_DIR: text(),
  ISMS_ROLE: oneOf(['customer', 'provider', 'both'], 'both'),
  ISMS_LANG: oneOf(['ja', 'en'], 'ja'),
  ISMS_APPROVERS: text(''),
  ISMS_RISK_LEVELS: (raw: string | undefined) => parseRiskLevels(raw ?? 'low:1-6,medium:7-14,high:15-25'),
  EMBEDDINGS: oneOf(['auto', 'transformers', 'openai', 'off'], 'auto'),
  EMBEDDING_MODEL: text('Xenova/multilingual-e5-small'),
  /** A read-only folder of pre-fetched models (the Docker image's /app/models), looked in before the cache. */
  ISMS_MODELS_DIR: text(),
  /** Where hub models are fetched from: a mirror of the Hugging Face Hub (default https://huggingface.co/). */
  HF_ENDPOINT: checked(isUrl, 'must be a URL such as https://huggingface.co/'),
  OPENAI_API_KEY: text(),
  OPENAI_BASE_URL: checked(isUrl, 'must be a URL such as http://127.0.0.1:8080/v1'),
  OPENAI_MODEL: text('gpt-4o-mini'),
  OPENAI_EMBEDDING_MODEL: text('text-embedding-3-small'),
  OPENAI_TIMEOUT_MS: wholeNumber(1, 3_600_000, 20_000),
  LOG_LEVEL: oneOf(['debug', 'info', 'warn', 'error', 'silent'], 'info'),
  /** auto: JSON lines in Slack mode unless stderr is a terminal, text otherwise. */
  LOG_FORMAT: oneOf(['auto', 'json', 'pretty'], 'auto'),
  SLACK_BOT_TOKEN: checked((v) => /^xoxb-/.test(v), 'must be a bot token starting with xoxb-'),
  SLACK_APP_TOKEN: checked((v) => /^xapp-/.test(v), 'must be an app-level token starting with xapp-'),
  SLACK_SIGNING_SECRET: text(),
  /** Several workspaces (OAuth install flow, HTTP mode, PostgreSQL): the app's client ID, client secret and a state secret. */
  SLACK_CLIENT_ID: checked((v) => /^\d+\.\d+$/.test(v), 'must be the app\'s Client ID (Basic Information → App Credentials), e.g. 1234567890.1234567890'),
  SLACK_CLIENT_SECRET: text(),
  SLACK_STATE_SECRET: checked((v) => v.length >= 16, 'must be at least 16 random characters (it signs the OAuth state and derives the key that encrypts stored tokens)'),
  /** Where Slack sends the browser back after an install (optional when the app has one redirect URL). */
  SLACK_REDIRECT_URI: checked((v) => isUrl(v) && /\/slack\/oauth_redirect$/.test(v), 'must be the https URL of this app\'s /slack/oauth_redirect, e.g. https://isms.example.com/slack/oauth_redirect'),
  SLACK_API_URL: checked((v) => isUrl(v) && /\/api\/$/.test(v), 'must be a URL that ends with /api/, e.g. http://127.0.0.1:9999/api/'),
  PORT: wholeNumber(1, 65535, 3000),
  /** GET /healthz on this port in every Slack mode: 200 while connected to Slack, 503 while not. */
  HEALTH_PORT: wholeNumber(1, 65535),
  ISMS_ALLOW_BOTS: oneOf(['true', 'false'], 'false'),
  /** Answers worked on at once behind the ack; messages of one thread always in order. */
  ISMS_SLACK_CONCURRENCY: wholeNumber(1, 64, 4),
  /** The 👀 reaction goes on a message whose answer is not posted within this many milliseconds (0: always). */
  ISMS_SLACK_PROGRESS_MS: wholeNumber(0, 60_000, 1500),
  /** Four-eyes: nobody approves their own proposal, assessment or SoA changes (decisions, assessments, publishing). */
  ISMS_FOUR_EYES: oneOf(['true', 'false'], 'false'),
  ISMS_DIGEST_CRON: (raw: string | undefined) => checkCron(raw ?? '0 9 * * 1'),
  ISMS_TIMEZONE: checked(isTimeZone, 'must be an IANA time zone such as Asia/Tokyo, Europe/London or UTC', 'Asia/Tokyo'),
  ISMS_DIGEST_CHANNEL: checked((v) => /^[CG][A-Z0-9]{2,}$/.test(v), 'must be a Slack channel ID such as C0123ABCD (channel details → copy channel ID), not a name'),
  ISMS_DIGEST_LANG: oneOf(['ja', 'en']),
  /** The Annex A edition of a new store's SoA; an existing store keeps the edition it records (see soa transition). */
  ISMS_SOA_EDITION: oneOf(['2022', '2013']),
  ISMS_AUDIT_INTERVAL_MONTHS: wholeNumber(1, 36, 12),
};

/** A standard five-field cron expression (minute hour day-of-month month day-of-week) that croner accepts. */
function checkCron(raw: string): string {
  try {
    new Cron(raw, { mode: '5-part' });
  } catch (e) {
    throw new Invalid(`not a cron expression (${(e as Error).message}); write five fields "minute hour day-of-month month day-of-week", e.g. "0 9 * * 1" for Monday 09:00`);
  }
  return raw;
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
function parseRiskLevels(raw: string): RiskLevel[] {
  const levels: RiskLevel[] = [];
  for (const part of raw.split(',').map((s) => s.trim()).filter(Boolean)) {
    const m = /^([a-z][\w-]*):(\d+)-(\d+)$/i.exec(part);
    if (!m) {
      throw new Invalid(`"${part}" must look like name:min-max, e.g. low:1-6`);
    }
    levels.push({ name: m[1]!, min: Number(m[2]), max: Number(m[3]) });
  }
  let next = 1;
  for (const l of levels) {
    if (l.min !== next || l.max < l.min) {
      throw new Invalid(`bands must run from 1 to 25 in order without gaps or overlaps (at "${l.name}:${l.min}-${l.max}", expected it to start at ${next}), e.g. low:1-6,medium:7-14,high:15-25`);
    }
    next = l.max + 1;
  }
  if (next !== 26) {
    throw new Invalid('bands must end at 25 (5 x 5), e.g. low:1-6,medium:7-14,high:15-25');
  }
  return levels;
}

function toConfig(e: Values<typeof spec>) {
  return {
    dataDir: resolve(e.ISMS_DATA_DIR),
    database: e.DATABASE_URL ? { url: e.DATABASE_URL, adminUrl: e.DATABASE_ADMIN_URL ?? e.DATABASE_URL } : undefined,
    /** The CLI's workspace in a database of several workspaces; unset: the single workspace ('default'). */
    workspace: e.ISMS_WORKSPACE,
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
    /** Which OAuth variables were given, whole or not (startMode names what is missing). */
    raw: { clientId: !!e.SLACK_CLIENT_ID, clientSecret: !!e.SLACK_CLIENT_SECRET, stateSecret: !!e.SLACK_STATE_SECRET },
    slack: {
      botToken: e.SLACK_BOT_TOKEN,
      appToken: e.SLACK_APP_TOKEN,
      signingSecret: e.SLACK_SIGNING_SECRET,
      /** Several workspaces: Slack's OAuth install flow (all three set). */
      oauth: e.SLACK_CLIENT_ID && e.SLACK_CLIENT_SECRET && e.SLACK_STATE_SECRET
        ? { clientId: e.SLACK_CLIENT_ID, clientSecret: e.SLACK_CLIENT_SECRET, stateSecret: e.SLACK_STATE_SECRET, redirectUri: e.SLACK_REDIRECT_URI }
        : undefined,
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
  const { botToken, appToken, signingSecret, oauth } = c.slack;
  const oauthVars = { SLACK_CLIENT_ID: c.raw.clientId, SLACK_CLIENT_SECRET: c.raw.clientSecret, SLACK_STATE_SECRET: c.raw.stateSecret };
  const oauthSet = Object.entries(oauthVars).filter(([, v]) => v).map(([k]) => k);
  if (oauthSet.length) {
    // Several workspaces: each install brings its own bot token, so no SLACK_BOT_TOKEN; HTTP mode; PostgreSQL.
    const missing = Object.keys(oauthVars).filter((k) => !oauthSet.includes(k));
    if (missing.length) return { mode: 'invalid', message: `${oauthSet.join(' and ')} ${oauthSet.length > 1 ? 'are' : 'is'} set, but ${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not: serving several workspaces needs all three. Set them, or unset ${oauthSet.join(' and ')} for a single workspace (SLACK_BOT_TOKEN).` };
    if (botToken || appToken) return { mode: 'invalid', message: `SLACK_CLIENT_ID (several workspaces, each install brings its token) and ${botToken ? 'SLACK_BOT_TOKEN' : 'SLACK_APP_TOKEN'} (one workspace) are both set. Unset one of them.` };
    if (!signingSecret) return { mode: 'invalid', message: 'SLACK_CLIENT_ID is set, but SLACK_SIGNING_SECRET is not: several workspaces are served in HTTP mode, which checks each request\'s signature. Set it (Basic Information → App Credentials).' };
    if (!c.database) return { mode: 'invalid', message: 'SLACK_CLIENT_ID is set, but DATABASE_URL is not: several workspaces are kept apart in PostgreSQL (README: Several workspaces). Set DATABASE_URL, or unset SLACK_CLIENT_ID for a single workspace.' };
    return oauth ? { mode: 'http' } : { mode: 'invalid', message: 'SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and SLACK_STATE_SECRET must all be set' };
  }
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
  const r = readEnv(spec, cleaned);
  // DATABASE_URL may hold a password: it is shown and logged like a token.
  const secret = (key: string) => /TOKEN|SECRET|KEY|PASSWORD/.test(key) || /^DATABASE_(ADMIN_)?URL$/.test(key);
  for (const [k, v] of Object.entries(cleaned)) if (secret(k)) registerSecret(v);
  if (r.problems.length) {
    // A secret's value is never printed, not even a wrong one: only its first characters.
    const shown = (key: string) => {
      const v = String(cleaned[key] ?? '');
      return secret(key) ? `"${v.slice(0, 5)}…" (${v.length} characters)` : JSON.stringify(cleaned[key]);
    };
    const lines = r.problems.map(([key, message]) => `  ${key}=${shown(key)}: ${message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return toConfig(r.values);
}

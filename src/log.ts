// A small leveled logger on stderr (stdout stays clean for CLI output). Secrets are masked.
type Level = 'debug' | 'info' | 'warn' | 'error' | 'silent';
const order: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };

const secretPatterns = [/\b(sk-[A-Za-z0-9_-]{6})[A-Za-z0-9_-]+/g, /\b(xox[abposr]-)[A-Za-z0-9-]+/g, /\b(xapp-)[A-Za-z0-9-]+/g];

/** Configured secrets (signing secret, API keys of any shape), masked wherever they appear. */
const knownSecrets = new Set<string>();

export function registerSecret(value: string | undefined): void {
  if (value && value.length >= 6) knownSecrets.add(value);
}

/** Masks API keys, Slack tokens and configured secrets in any text that may reach a log or a user. */
export function redact(text: string): string {
  let out = secretPatterns.reduce((s, re) => s.replace(re, '$1…'), text);
  for (const secret of knownSecrets) out = out.split(secret).join('…');
  return out;
}

export interface Logger {
  debug(msg: string, data?: Record<string, unknown>): void;
  info(msg: string, data?: Record<string, unknown>): void;
  warn(msg: string, data?: Record<string, unknown>): void;
  error(msg: string, data?: Record<string, unknown>): void;
}

export function createLogger(level: Level = (process.env.LOG_LEVEL as Level) || 'info', sink: (line: string) => void = (l) => process.stderr.write(l + '\n')): Logger {
  const at = (l: Exclude<Level, 'silent'>) => (msg: string, data?: Record<string, unknown>) => {
    if (order[l] < order[level]) return;
    const extra = data ? ' ' + JSON.stringify(data) : '';
    sink(redact(`${new Date().toISOString()} ${l.toUpperCase()} ${msg}${extra}`));
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

export const silentLogger: Logger = createLogger('silent');

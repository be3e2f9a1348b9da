// A small leveled logger on stderr (stdout stays clean for CLI output and the console chat). Secrets are masked.
//
// Two formats: JSON lines ({"level","time","msg", ...fields}, one object per line, what log collectors read) and text
// for a person at a terminal. LOG_FORMAT=auto (the default) picks JSON in Slack mode unless stderr is a terminal.
// Why not pino: the bot logs a few lines per request; this writer is 80 lines with no dependency, and the field names
// (level, time, msg) are pino's, so a collector set up for pino reads these lines too (level as a name, time as ISO).
export type Level = 'debug' | 'info' | 'warn' | 'error' | 'silent';
export type LogFormat = 'json' | 'pretty';
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

/** Errors become { message, code }; everything else is kept as JSON.stringify would keep it. */
function plain(value: unknown): unknown {
  if (value instanceof Error) return { message: value.message, ...((value as { code?: unknown }).code !== undefined ? { code: (value as { code?: unknown }).code } : {}) };
  return value;
}

/** One JSON object per line. The three fixed fields come first and a field of the same name cannot replace them. */
export function jsonLine(level: Exclude<Level, 'silent'>, msg: string, data?: Record<string, unknown>, time = new Date()): string {
  const entry: Record<string, unknown> = { level, time: time.toISOString(), msg };
  for (const [k, v] of Object.entries(data ?? {})) if (!(k in entry)) entry[k] = plain(v);
  return JSON.stringify(entry);
}

function textLine(level: Exclude<Level, 'silent'>, msg: string, data?: Record<string, unknown>, time = new Date()): string {
  const fields = data && Object.keys(data).length ? ' ' + JSON.stringify(Object.fromEntries(Object.entries(data).map(([k, v]) => [k, plain(v)]))) : '';
  return `${time.toISOString()} ${level.toUpperCase()} ${msg}${fields}`;
}

export function createLogger(
  level: Level = (process.env.LOG_LEVEL as Level) || 'info',
  sink: (line: string) => void = (l) => process.stderr.write(l + '\n'),
  format: LogFormat = 'pretty',
): Logger {
  const line = format === 'json' ? jsonLine : textLine;
  const at = (l: Exclude<Level, 'silent'>) => (msg: string, data?: Record<string, unknown>) => {
    if (order[l] < order[level]) return;
    sink(redact(line(l, msg, data)));
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** LOG_FORMAT=json or pretty as set; auto: JSON in Slack mode unless stderr is a terminal, text elsewhere. */
export function logFormatFor(setting: 'auto' | LogFormat, slackMode: boolean, terminal = !!process.stderr.isTTY): LogFormat {
  if (setting !== 'auto') return setting;
  return slackMode && !terminal ? 'json' : 'pretty';
}

/**
 * Sends what libraries print with console.* and Node's process warnings through the logger, so that every line on
 * stderr has the chosen format (in Slack mode nothing else writes there).
 */
export function captureConsole(log: Logger): void {
  const text = (args: unknown[]) => args.map((a) => (typeof a === 'string' ? a : a instanceof Error ? a.message : JSON.stringify(a))).join(' ');
  console.log = (...a: unknown[]) => log.info(text(a));
  console.info = (...a: unknown[]) => log.info(text(a));
  console.debug = (...a: unknown[]) => log.debug(text(a));
  console.warn = (...a: unknown[]) => log.warn(text(a));
  console.error = (...a: unknown[]) => log.error(text(a));
  process.removeAllListeners('warning');
  process.on('warning', (w) => log.warn(w.message, { warning: w.name }));
}

export const silentLogger: Logger = createLogger('silent');

/** A logger whose every line names the workspace in scope when there is one (several workspaces: src/core.ts). */
export function withWorkspace(log: Logger, workspace: () => string | undefined): Logger {
  const add = (data?: Record<string, unknown>) => {
    const ws = workspace();
    return ws && !(data && 'workspace' in data) ? { workspace: ws, ...data } : data;
  };
  return {
    debug: (m, d) => log.debug(m, add(d)),
    info: (m, d) => log.info(m, add(d)),
    warn: (m, d) => log.warn(m, add(d)),
    error: (m, d) => log.error(m, add(d)),
  };
}

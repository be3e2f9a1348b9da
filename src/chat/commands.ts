// Parses what a person typed ("soa set 12.3.1 applicable=no ...", "/isms missing", a plain question) into a command.

import { serviceText } from './messages.js';

export type Command =
  | { kind: 'help' }
  | { kind: 'ask'; question: string }
  | { kind: 'soa-show'; control: string; history: boolean }
  | { kind: 'soa-set'; control: string; fields: Record<string, string[]> }
  | { kind: 'soa-approve'; control: string; version?: number }
  | { kind: 'soa-reject'; control: string; reason?: string }
  | { kind: 'missing' }
  | { kind: 'export'; format: string }
  | { kind: 'lang'; lang: string }
  | { kind: 'assess'; service?: string }
  | { kind: 'digest' }
  /** Who approves in this workspace; `add` / `remove` change it (several workspaces only). */
  | { kind: 'approvers'; add?: string[]; remove?: string[] }
  /** Posts this workspace's weekly digest to `channel`, or with 'here' to the channel of the command. */
  | { kind: 'digest-channel'; channel: string }
  /** A command typed incompletely: its syntax (the same in both languages), or what is wrong in each language. */
  | { kind: 'usage'; message: string; ja?: string };

/** Splits on spaces, keeping "quoted text" and 「括弧」 together, also inside a word (reason=legal:"APPI art. 23"). */
export function words(text: string): string[] {
  return [...text.matchAll(/(?:[^\s"「]+|"[^"]*"?|「[^」]*」?)+/g)].map((m) => m[0].replace(/"|「|」/g, ''));
}

/**
 * Input limits (README, "Limits and security"). A longer message is refused before it is parsed, answered or stored,
 * with a message in the writer's language; Slack allows 40,000 characters, the answer engine needs far fewer.
 */
export const limits = { message: 4000, question: 2000 } as const;

/** What is too long in a message, in `lang`, with the fix; undefined when the message is within the limits. */
export function lengthProblem(raw: string, lang: 'ja' | 'en'): { message: string; hint: string } | undefined {
  const t = serviceText[lang];
  const n = (x: number) => x.toLocaleString('en-US');
  if (raw.length > limits.message) {
    return {
      message: t.messageTooLong(n(raw.length), n(limits.message)),
      hint: t.messageTooLongHint,
    };
  }
  const cmd = parseCommand(raw);
  if (cmd.kind === 'ask' && cmd.question.length > limits.question) {
    return {
      message: t.questionTooLong(n(cmd.question.length), n(limits.question)),
      hint: t.questionTooLongHint,
    };
  }
  return undefined;
}

const soaFields = ['applicable', 'status', 'justification', 'owner', 'reason', 'reasons', 'evidence', 'role'];

const helpWords = new Set(['help', 'ヘルプ', '使い方', '?', '？']);

export function parseCommand(raw: string): Command {
  const text = raw.normalize('NFKC').trim().replace(/^\/isms\s*/i, '');
  const [head = '', ...rest] = words(text);
  const cmd = head.toLowerCase();
  if (!text || helpWords.has(cmd)) return { kind: 'help' };
  if (cmd === 'ask') return rest.length ? { kind: 'ask', question: text.slice(head.length).trim() } : { kind: 'usage', message: 'ask <question>' };
  if (cmd === 'missing' || cmd === '見落とし') return { kind: 'missing' };
  if (cmd === 'export') return { kind: 'export', format: (rest[0] ?? 'xlsx').toLowerCase() };
  if (cmd === 'lang') return { kind: 'lang', lang: (rest[0] ?? '').toLowerCase() };
  if (cmd === 'digest') {
    const sub = (rest[0] ?? '').toLowerCase();
    if (sub === 'here') return { kind: 'digest-channel', channel: 'here' };
    if (sub === 'channel') return rest[1] ? { kind: 'digest-channel', channel: rest[1] } : { kind: 'usage', message: 'digest channel <#channel> | digest here' };
    return { kind: 'digest' };
  }
  if (cmd === 'approvers' || cmd === '承認者') {
    const sub = (rest[0] ?? '').toLowerCase();
    if (!sub || sub === 'list') return { kind: 'approvers' };
    if ((sub === 'add' || sub === 'remove') && rest.length > 1) return { kind: 'approvers', [sub]: rest.slice(1) };
    return { kind: 'usage', message: 'approvers | approvers add @name | approvers remove @name' };
  }
  if (cmd === 'assess' || cmd === 'アセスメント') return { kind: 'assess', service: rest.join(' ') || undefined };
  if (cmd === 'soa') {
    const [sub = '', ...args] = rest;
    const s = sub.toLowerCase();
    if (s === 'set') {
      if (!args[0]) return { kind: 'usage', message: 'soa set <controlId> [role=customer|provider applicable=yes|no status=implemented|partial|planned|not-implemented justification="..." owner=NAME reason=risk:R-1]' };
      const fields: Record<string, string[]> = {};
      for (const a of args.slice(1)) {
        const eq = a.indexOf('=');
        if (eq <= 0) return { kind: 'usage', message: `"${a}" is not a field: write name=value, e.g. status=implemented`, ja: `「${a}」は項目ではありません。項目名=値 の形で書いてください（例: status=implemented）` };
        const key = a.slice(0, eq).toLowerCase();
        if (!soaFields.includes(key)) return { kind: 'usage', message: `"${key}" is not a field of an SoA decision: use ${soaFields.filter((f) => f !== 'reasons').join(', ')}`, ja: `「${key}」は適用宣言書の判断の項目ではありません。${soaFields.filter((f) => f !== 'reasons').join('、')} を使ってください` };
        (fields[key] ??= []).push(a.slice(eq + 1));
      }
      return { kind: 'soa-set', control: args[0], fields };
    }
    if (s === 'approve') {
      if (!args[0]) return { kind: 'usage', message: 'soa approve <controlId> [vN]' };
      const v = /^v?(\d+)$/i.exec(args[1] ?? '');
      return { kind: 'soa-approve', control: args[0], ...(v ? { version: Number(v[1]) } : {}) };
    }
    if (s === 'reject') return args[0] ? { kind: 'soa-reject', control: args[0], reason: args.slice(1).join(' ') || undefined } : { kind: 'usage', message: 'soa reject <controlId> [reason]' };
    if (s === 'history') return args[0] ? { kind: 'soa-show', control: args[0], history: true } : { kind: 'usage', message: 'soa history <controlId>' };
    if (sub) return { kind: 'soa-show', control: sub, history: args.includes('--history') || args.includes('history') };
    return { kind: 'usage', message: 'soa <controlId> | soa set <controlId> | soa approve <controlId> | soa history <controlId>' };
  }
  return { kind: 'ask', question: text };
}

// Plain-text rendering of neutral replies, for the console chat (and as Slack's notification fallback text).
import type { Decision, SoaRow } from '../soa/index.js';
import { rowLabel, statusLabel } from '../soa/format.js';
import { personLabel } from '../soa/people.js';
import type { Lang } from '../search/text.js';
import { helpText } from './help.js';
import { answerModeLabels, decisionStateLabels, formatTime, label, roleLabels } from './messages.js';
import type { Reply } from './replies.js';

/** Long lists are cut in chat; the export has everything. */
export const MAX_LIST = 25;

const L = {
  ja: {
    current: '現在の判断', pending: '承認待ちの提案', none: '承認済みの判断はまだありません', applicable: '適用', yes: 'あり', no: 'なし',
    status: '実施状況', reasons: '採用理由', justification: '除外理由', owner: '責任者', by: '提案', approved: '承認', history: '履歴',
    proposedNote: (a: string) => `提案として記録しました。承認者（${a}）の承認を待っています。`, approvedNote: '承認済みとして記録しました。',
    noApprovers: '承認者（ISMS_APPROVERS）が設定されていません。', rejected: '却下しました。', missingNone: '見落としはありません。関連するすべての管理策に承認済みの判断があります。',
    missingHead: (n: number, roles: string) => `承認済みの判断がない関連管理策: ${n} 件（対象の役割: ${roles}）`, file: '出力しました', hint: 'ヒント',
    form: (id: string) => `${id} の判断を記録するには: soa set ${id} applicable=yes|no status=implemented|partial|planned|not-implemented justification="..." owner=名前 reason=risk:R-1`,
    versions: (n: number) => `（全 ${n} 版。soa history で表示）`, low: '確信度', sources: '出典', more: (n: number) => `…ほか ${n} 件（export で全件を出力）`,
    listSep: '、', suggested: (s: string) => `  （提案: ${s} — 「ok」で採用）`,
    sourceNames: { console: 'コンソール', cli: 'CLI' } as Record<string, string>,
  },
  en: {
    current: 'Decision in force', pending: 'Pending proposal', none: 'No approved decision yet', applicable: 'Applicable', yes: 'yes', no: 'no',
    status: 'Status', reasons: 'Reasons', justification: 'Exclusion justification', owner: 'Owner', by: 'Proposed by', approved: 'Approved by', history: 'History',
    proposedNote: (a: string) => `Recorded as a proposal. Waiting for an approver (${a}).`, approvedNote: 'Recorded as approved.',
    noApprovers: 'No approvers are configured (ISMS_APPROVERS).', rejected: 'Rejected.', missingNone: 'Nothing is missing: every relevant control has an approved decision.',
    missingHead: (n: number, roles: string) => `Relevant controls with no approved decision: ${n} (roles in scope: ${roles})`, file: 'Exported', hint: 'Hint',
    form: (id: string) => `To record a decision for ${id}: soa set ${id} applicable=yes|no status=implemented|partial|planned|not-implemented justification="..." owner=NAME reason=risk:R-1`,
    versions: (n: number) => ` (${n} versions; see soa history)`, low: 'confidence', sources: 'Sources', more: (n: number) => `… and ${n} more (export lists them all)`,
    listSep: ', ', suggested: (s: string) => `  (suggested: ${s} — "ok" accepts it)`,
    sourceNames: { console: 'console', cli: 'cli' } as Record<string, string>,
  },
};

/** How a reply names a person: in plain text "Carol Tanaka (UCAROL)"; Slack passes a mention instead. */
export type NamePerson = (who: string, name: string | null) => string;

export function decisionText(d: Decision, lang: Lang, person: NamePerson = personLabel): string[] {
  const t = L[lang];
  const lines = [`  ${t.applicable}: ${d.applicable ? t.yes : t.no} · ${t.status}: ${statusLabel[d.status][lang]} · v${d.version}`];
  if (d.applicable && d.reasons.length) lines.push(`  ${t.reasons}: ${d.reasons.join(', ')}`);
  if (!d.applicable) lines.push(`  ${t.justification}: ${d.justification}`);
  if (d.owner) lines.push(`  ${t.owner}: ${person(d.owner, d.ownerName)}`);
  lines.push(`  ${t.by}: ${person(d.proposedBy, d.proposedByName)} ${formatTime(d.proposedAt, lang)} · ${sourceText(d.source, lang)}`);
  if (d.approvedBy) lines.push(`  ${t.approved}: ${person(d.approvedBy, d.approvedByName)} ${formatTime(d.approvedAt!, lang)}`);
  return lines;
}

/** Where a decision was made: the Slack thread's link as it is, the console or the CLI named in the reply's language. */
function sourceText(source: string, lang: Lang): string {
  return L[lang].sourceNames[source] ?? source;
}

function rowText(row: SoaRow, lang: Lang): string[] {
  const t = L[lang];
  const e = row.entry;
  const lines = [`${rowLabel(row, lang)} ${e.title[lang]}`];
  lines.push(row.current ? `${t.current}:` : `${t.current}: ${t.none}`);
  if (row.current) lines.push(...decisionText(row.current, lang));
  if (row.pending) lines.push(`${t.pending}:`, ...decisionText(row.pending, lang));
  return lines;
}

export function renderText(r: Reply): string {
  const t = L[r.lang];
  switch (r.type) {
    case 'answer': {
      const a = r.answer;
      if (!a.citations.length) return a.answer;
      return `${a.answer}\n\n${t.sources}: ${a.citations.join(', ')} · ${label(answerModeLabels, a.mode, r.lang)} · ${t.low} ${a.confidence.toFixed(2)}`;
    }
    case 'text':
      return r.text;
    case 'error':
      return `⚠ ${r.message}${r.hint ? `\n  ${t.hint}: ${r.hint}` : ''}${r.ref ? `\n  ref: ${r.ref}` : ''}`;
    case 'help':
      return helpText[r.lang];
    case 'decision': {
      const lines = rowText(r.row, r.lang);
      if (r.history) {
        lines.push(`${t.history}:`);
        for (const d of r.history) lines.push(`- v${d.version} ${label(decisionStateLabels, d.state, r.lang)}`, ...decisionText(d, r.lang));
      }
      return lines.join('\n');
    }
    case 'recorded': {
      const note = r.decision.state === 'approved' ? t.approvedNote : r.approvers.length ? t.proposedNote(r.approvers.join(', ')) : `${t.proposedNote('-')} ${t.noApprovers}`;
      return [note, ...rowText(r.row, r.lang)].join('\n');
    }
    case 'proposal':
      return [`${t.pending}: ${rowLabel(r.row, r.lang)} ${r.row.entry.title[r.lang]}`, ...decisionText(r.decision, r.lang)].join('\n');
    case 'reviewed':
      return [r.decision.state === 'approved' ? t.approvedNote : t.rejected, ...rowText(r.row, r.lang)].join('\n');
    case 'missing':
      if (!r.rows.length) return t.missingNone;
      return [
        t.missingHead(r.rows.length, r.roles.map((x) => label(roleLabels, x, r.lang)).join(t.listSep)),
        ...r.rows.slice(0, MAX_LIST).map((x) => `• ${rowLabel(x, r.lang)} ${x.entry.title[r.lang]}${x.pending ? ` (${t.pending})` : ''}`),
        ...(r.rows.length > MAX_LIST ? [t.more(r.rows.length - MAX_LIST)] : []),
      ].join('\n');
    case 'soa-form':
      return [t.form(r.controlId), ...rowText(r.row, r.lang)].join('\n');
    case 'file':
      return `${t.file}: ${r.title} → ${r.path}`;
    case 'assessment':
      return assessmentText(r);
  }
}

/** An assessment step as text: notes, a problem with its hint, then the question with numbered choices. */
function assessmentText(r: Extract<Reply, { type: 'assessment' }>): string {
  const out: string[] = [...r.notes];
  if (r.error) out.push(`⚠ ${r.error}`);
  const p = r.prompt;
  if (p) {
    out.push(`? ${p.text}`);
    const choices = p.choices ?? [];
    if (choices.length && choices.every((c) => c.label === c.value)) out.push(`  ${choices.map((c) => c.value).join(' · ')}`);
    else choices.forEach((c, i) => out.push(/^\d+\. /.test(c.label) ? `  ${c.label}` : `  ${i + 1}. ${c.label}`));
    if (p.suggested) out.push(L[r.lang].suggested(p.suggested));
  }
  return out.join('\n');
}

/**
 * Slack markup as plain terminal text, for the console chat: *bold*, _italic_ and ~strike~ lose their markers,
 * <@U123> becomes @U123, <url|text> becomes "text (url)", <#C1|name> "#name", and &lt; &gt; &amp; are unescaped.
 */
export function toPlainText(text: string): string {
  return text
    .replace(/<@([UW][A-Z0-9]+)(?:\|([^>]+))?>/g, (_m, id: string, name?: string) => `@${name ?? id}`)
    .replace(/<#([CG][A-Z0-9]+)(?:\|([^>]*))?>/g, (_m, id: string, name?: string) => `#${name || id}`)
    .replace(/<!(here|channel|everyone)>/g, '@$1')
    .replace(/<((?:https?|mailto):[^|>\s]+)\|([^>]+)>/g, (_m, url: string, label: string) => (label === url ? url : `${label} (${url})`))
    .replace(/<((?:https?|mailto):[^|>\s]+)>/g, '$1')
    .replace(/(^|[^\w*])\*(?!\s)([^*\n]+?)(?<!\s)\*(?![\w*])/g, '$1$2')
    .replace(/(^|[^\w_])_(?!\s)([^_\n]+?)(?<!\s)_(?![\w_])/g, '$1$2')
    .replace(/(^|[^\w~])~(?!\s)([^~\n]+?)(?<!\s)~(?![\w~])/g, '$1$2')
    .replace(/:warning:/g, '⚠')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

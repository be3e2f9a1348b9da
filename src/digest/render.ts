// The digest in Japanese or English: Block Kit for Slack and plain text for the CLI. Every number names its basis
// ("54/121") and a short list of the IDs behind it; `digest --preview --json` has them all.
import { personLabel, personMention } from '../soa/people.js';
import type { KnownBlock, SectionBlock } from '@slack/types';
import type { Lang } from '../search/text.js';
import { label, roleLabels } from '../chat/messages.js';
import { CHANGE_WINDOW_DAYS, type JustificationProblem, type MetricKey, type ReadinessMetrics } from './metrics.js';
import type { Trend } from './log.js';
import { localDay } from './time.js';

/** A Block Kit block, typed by @slack/types (types only: nothing of Bolt is loaded here). */
export type Block = KnownBlock;

/** How many IDs a line lists before "+N". */
export const MAX_IDS = 8;

const T = {
  ja: {
    title: '週次 監査準備ダイジェスト', preview: 'プレビュー', score: '準備度スコア', vs: (w: string) => `（${w} 比）`, first: '（初回）',
    coverage: '適用宣言書の網羅率', missing: '未承認', implemented: '実施済（適用する管理策のうち）', notYet: '未完了',
    exclusions: '除外理由が不十分な除外', pending: '承認待ちの提案', oldest: (d: number) => `最長 ${d} 日`, cld: '未決定の CLD 管理策', cloud27017: '未決定の ISO/IEC 27017 項目（役割ごと）',
    owners: 'リスク所有者が未設定のリスク', high: '未対応の高リスク', reviews: '見直し期限切れのリスク', changes: (d: number) => `過去${d}日間に変更された判断`,
    audit: '内部監査（JIP-ISMS517 4.3）', chain: '監査証跡のハッシュチェーン', none: 'なし', active: ' 件（クローズ以外）', ofHigh: ' 件（高リスク）',
    due: '期限', days: '日', lastAudit: (d: string, who: string) => `前回 ${d}（監査員 ${who}）`, nextDue: (d: string) => `次回期限 ${d}`,
    overdue: '期限切れ', noAudit: '記録なし。`audit record` で記録してください', ok: (n: number) => `検証済み（${n} 件）`,
    broken: (seq: string, p: string) => `破損（${seq}）: ${p}`, roles: '対象の役割', tz: 'タイムゾーン', breakdown: '内訳',
    details: 'すべての ID: `npm run -s cli -- digest --preview --json`', chart: '推移グラフはスレッドに添付しています。',
    count: (x: number) => `${x} 件`, note: (s: string) => `（${s}）`, changeBy: (who: string, kind: string) => `${who} ${kind}`, listSep: '、',
    problem: { missing: '記載なし', placeholder: '仮の記載', 'too short': '短すぎる' } as Record<JustificationProblem, string>,
    kind: { set: '記録・承認', proposed: '提案', approved: '承認', rejected: '却下' },
    status: { implemented: '実施済', partial: '一部実施', planned: '計画中', 'not-implemented': '未実施' },
    part: {
      coverage: '網羅率', implemented: '実施', exclusions: '除外理由', pending: '承認待ち', cld: 'CLD', riskOwners: 'リスク所有者',
      highRisks: '高リスク', riskReviews: 'リスク見直し', internalAudit: '内部監査', auditChain: '証跡',
    } as Record<MetricKey, string>,
  },
  en: {
    title: 'Weekly audit-readiness digest', preview: 'Preview', score: 'Readiness score', vs: (w: string) => ` (vs ${w})`, first: ' (first week)',
    coverage: 'SoA coverage', missing: 'missing', implemented: 'Implemented (of applicable)', notYet: 'not yet',
    exclusions: 'Exclusions without an adequate justification', pending: 'Pending proposals', oldest: (d: number) => `oldest ${d} days`, cld: 'CLD controls undecided', cloud27017: 'ISO/IEC 27017 items undecided (per role)',
    owners: 'Risks without a valid owner', high: 'High risks untreated', reviews: 'Risk reviews overdue', changes: (d: number) => `Decisions changed in the last ${d} days`,
    audit: 'Internal audit (JIP-ISMS517 4.3)', chain: 'Audit chain', none: 'none', active: ' active risks', ofHigh: ' high risks',
    due: 'due', days: 'd', lastAudit: (d: string, who: string) => `last ${d} by ${who}`, nextDue: (d: string) => `next due ${d}`,
    overdue: 'overdue', noAudit: 'none recorded; record one with `audit record`', ok: (n: number) => `verified (${n} entries)`,
    broken: (seq: string, p: string) => `BROKEN (${seq}): ${p}`, roles: 'roles in scope', tz: 'time zone', breakdown: 'Score',
    details: 'Every ID: `npm run -s cli -- digest --preview --json`', chart: 'Trend chart in the thread.',
    count: (x: number) => `${x}`, note: (s: string) => ` (${s})`, changeBy: (who: string, kind: string) => `${kind} by ${who}`, listSep: ', ',
    problem: { missing: 'missing', placeholder: 'placeholder', 'too short': 'too short' } as Record<JustificationProblem, string>,
    kind: { set: 'set', proposed: 'proposed', approved: 'approved', rejected: 'rejected' },
    status: { implemented: 'implemented', partial: 'partial', planned: 'planned', 'not-implemented': 'not implemented' },
    part: {
      coverage: 'coverage', implemented: 'implemented', exclusions: 'exclusions', pending: 'pending', cld: 'CLD', riskOwners: 'risk owners',
      highRisks: 'high risks', riskReviews: 'risk reviews', internalAudit: 'internal audit', auditChain: 'audit chain',
    } as Record<MetricKey, string>,
  },
};

const pct = (a: number, b: number) => (b ? `${Math.round((a / b) * 100)}%` : '–');

/** "a, b, c … +4", or "" for an empty list. */
function ids(list: string[], max = MAX_IDS): string {
  if (!list.length) return '';
  return `${list.slice(0, max).join(', ')}${list.length > max ? ` … +${list.length - max}` : ''}`;
}

/** "label: value — ids"; the label is bold in Slack mrkdwn. */
function line(bold: boolean, label: string, value: string, list = ''): string {
  return `${bold ? `*${label}*` : label}: ${value}${list ? ` — ${list}` : ''}`;
}

/** The trend as "▲ +5 (vs 2026-W47)". */
export function trendText(trend: Trend, lang: Lang): string {
  const t = T[lang];
  if (trend.delta === null || !trend.previous) return t.first.trim();
  const arrow = trend.delta > 0 ? '▲' : trend.delta < 0 ? '▼' : '→';
  return `${arrow} ${trend.delta > 0 ? '+' : ''}${trend.delta}${t.vs(trend.previous.week)}`;
}

export function scoreLine(m: ReadinessMetrics, trend: Trend, lang: Lang, bold = true): string {
  return `${bold ? `*${T[lang].score}: ${m.score.value}/100*` : `${T[lang].score}: ${m.score.value}/100`} ${trendText(trend, lang)}`;
}

/** One line per metric, each with its numbers and the first IDs behind them. */
export function metricLines(m: ReadinessMetrics, lang: Lang, bold = true): string[] {
  const t = T[lang];
  const n = t.count;
  // A note in brackets: full-width in Japanese.
  const p = t.note;
  const r = m.risks;
  // Slack shows a mention as the person's name; text names them as recorded.
  const who = (id: string, name: string | null) => (bold ? personMention(id) : personLabel(id, name));
  const changes = [...m.changes.events].reverse().map((e) => `${e.controlId} ${t.changeBy(who(e.by, e.byName), t.kind[e.kind])}${p(localDay(new Date(e.at), m.timezone).slice(5))}`);
  const audit = m.internalAudit.last
    ? `${t.lastAudit(m.internalAudit.last.date, m.internalAudit.last.auditor)} · ${t.nextDue(m.internalAudit.nextDue!)}${m.internalAudit.overdue ? ` ⚠ ${t.overdue}` : ''}`
    : `⚠ ${t.noAudit}`;
  const chain = m.auditChain.ok ? t.ok(m.auditChain.entries)
    : `⚠ ${t.broken(m.auditChain.seq === null ? '-' : `#${m.auditChain.seq}`, m.auditChain.problem)}`;
  return [
    line(bold, t.coverage, `${m.coverage.approved}/${m.coverage.relevant}${p(pct(m.coverage.approved, m.coverage.relevant))}`,
      m.coverage.missingIds.length ? `${t.missing}: ${ids(m.coverage.missingIds)}` : ''),
    line(bold, t.implemented, `${m.implemented.implemented}/${m.implemented.applicable}${p(pct(m.implemented.implemented, m.implemented.applicable))}`,
      m.implemented.notImplemented.length ? `${t.notYet}: ${ids(m.implemented.notImplemented.map((x) => `${x.id}${p(t.status[x.status])}`), 5)}` : ''),
    line(bold, t.exclusions, `${m.exclusions.inadequate.length}/${m.exclusions.total}`,
      ids(m.exclusions.inadequate.map((x) => `${x.id}${p(t.problem[x.problem])}`), 5)),
    line(bold, t.pending, `${n(m.pending.count)}${m.pending.oldestDays !== null ? p(t.oldest(m.pending.oldestDays)) : ''}`,
      ids(m.pending.proposals.map((x) => `${x.id}${p(`${who(x.proposedBy, x.proposedByName)}, ${x.ageDays}${t.days}`)}`), 5)),
    line(bold, m.edition === '2022' ? t.cloud27017 : t.cld, `${m.cld.undecidedIds.length}/${m.cld.relevant}`, ids(m.cld.undecidedIds)),
    line(bold, t.owners, `${r.withoutOwner.length}/${r.active}${t.active}`, ids(r.withoutOwner.map((x) => x.id))),
    line(bold, t.high, `${r.highUntreated.length}/${r.highIds.length}${t.ofHigh}`, ids(r.highUntreated.map((x) => x.id))),
    line(bold, t.reviews, `${r.reviewOverdue.length}/${r.active}${t.active}`, ids(r.reviewOverdue.map((x) => `${x.id}${p(`${t.due} ${x.nextReview}`)}`), 5)),
    line(bold, t.changes(CHANGE_WINDOW_DAYS), n(m.changes.events.length), ids(changes, 6)), // newest first
    line(bold, t.audit, audit),
    line(bold, t.chain, chain),
  ];
}

/** "coverage 16.1/30 · implemented 12.0/20 · ...": how the score adds up. */
export function breakdown(m: ReadinessMetrics, lang: Lang): string {
  return `${T[lang].breakdown}: ${m.score.parts.map((p) => `${T[lang].part[p.key]} ${p.points.toFixed(1)}/${p.weight}`).join(' · ')}`;
}

function context(m: ReadinessMetrics, lang: Lang): string {
  const t = T[lang];
  return `${m.day} · ${m.week} · ${t.tz} ${m.timezone} · ${t.roles}: ${m.roles.map((r) => label(roleLabels, r, lang)).join(t.listSep)}`;
}

/** Sections of at most ~2900 characters (Block Kit allows 3000), cut at line ends. */
function sections(lines: string[]): SectionBlock[] {
  const out: SectionBlock[] = [];
  let chunk: string[] = [];
  const flush = () => {
    if (chunk.length) out.push({ type: 'section', text: { type: 'mrkdwn', text: chunk.join('\n').slice(0, 2900) } });
    chunk = [];
  };
  for (const l of lines) {
    if ([...chunk, l].join('\n').length > 2900) flush();
    chunk.push(l);
  }
  flush();
  return out;
}

export interface DigestView { text: string; blocks: Block[] }

/** The digest as Block Kit plus its notification text. `preview` marks it as not posted; `chart` says a chart follows. */
export function digestBlocks(m: ReadinessMetrics, trend: Trend, lang: Lang, opts: { preview?: boolean; chart?: boolean } = {}): DigestView {
  const t = T[lang];
  const title = `${opts.preview ? `${t.preview}: ` : ''}${t.title} · ${m.week}`;
  const blocks: Block[] = [
    { type: 'header', text: { type: 'plain_text', text: title.slice(0, 150), emoji: true } },
    { type: 'section', text: { type: 'mrkdwn', text: scoreLine(m, trend, lang) } },
    { type: 'context', elements: [{ type: 'mrkdwn', text: context(m, lang) }] },
    { type: 'divider' },
    ...sections(metricLines(m, lang)),
    { type: 'context', elements: [{ type: 'mrkdwn', text: breakdown(m, lang) }] },
    { type: 'context', elements: [{ type: 'mrkdwn', text: `${t.details}${opts.chart ? ` · ${t.chart}` : ''}` }] },
  ];
  return { text: `${title}: ${scoreLine(m, trend, lang, false)}`, blocks };
}

/** The digest as plain text (CLI, notification fallback). */
export function digestText(m: ReadinessMetrics, trend: Trend, lang: Lang, opts: { preview?: boolean } = {}): string {
  const t = T[lang];
  return [
    `${opts.preview ? `${t.preview}: ` : ''}${t.title} · ${m.week}`,
    scoreLine(m, trend, lang, false),
    context(m, lang),
    '',
    ...metricLines(m, lang, false).map((l) => `- ${l}`),
    '',
    breakdown(m, lang),
    `${t.details.replace(/`/g, '')}`,
  ].join('\n');
}

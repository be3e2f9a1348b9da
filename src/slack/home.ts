// The App Home tab: SoA coverage, pending proposals (with Approve / Reject for approvers) and quick actions.
import type { Core } from '../core.js';
import type { Lang } from '../search/text.js';
import { button, decisionBlocks, type Block } from './blocks.js';

export function homeView(core: Core, user: string, lang: Lang): { type: 'home'; blocks: Block[] } {
  const rows = core.store.soaRows();
  const relevant = rows.filter((r) => r.relevant);
  const approved = relevant.filter((r) => r.current);
  const applicable = approved.filter((r) => r.current!.applicable);
  const implemented = applicable.filter((r) => r.current!.status === 'implemented');
  const pending = rows.filter((r) => r.pending);
  const pct = (a: number, b: number) => (b ? `${Math.round((a / b) * 100)}%` : '–');
  const ja = lang === 'ja';
  const approver = core.chat.isApprover(user);
  const blocks: Block[] = [
    { type: 'header', text: { type: 'plain_text', text: ja ? 'ISMS クラウドセキュリティ: 準備状況' : 'ISMS cloud security: readiness' } },
    {
      type: 'section',
      fields: [
        { type: 'mrkdwn', text: `*${ja ? '適用宣言書の網羅率' : 'SoA coverage'}*\n${approved.length} / ${relevant.length} (${pct(approved.length, relevant.length)})` },
        { type: 'mrkdwn', text: `*${ja ? '実施済（適用する管理策のうち）' : 'Implemented (of applicable)'}*\n${implemented.length} / ${applicable.length} (${pct(implemented.length, applicable.length)})` },
        { type: 'mrkdwn', text: `*${ja ? '承認待ち' : 'Pending proposals'}*\n${pending.length}` },
        { type: 'mrkdwn', text: `*${ja ? '対象の役割' : 'Roles in scope'}*\n${core.store.profileRoles().join(', ')}` },
      ],
    },
    {
      type: 'actions',
      elements: [
        button(ja ? '見落としチェック' : 'Missed controls', 'home_missing', 'missing'),
        button(ja ? '適用宣言書を出力' : 'Export SoA', 'home_export', 'xlsx'),
        button(ja ? 'ヘルプ' : 'Help', 'home_help', 'help'),
      ],
    },
    { type: 'divider' },
    { type: 'section', text: { type: 'mrkdwn', text: `*${ja ? '承認待ちの提案' : 'Pending proposals'}*${pending.length ? '' : `\n${ja ? 'ありません。' : 'None.'}`}` } },
  ];
  for (const r of pending.slice(0, 15)) blocks.push(...decisionBlocks(r, r.pending!, lang, approver));
  return { type: 'home', blocks };
}

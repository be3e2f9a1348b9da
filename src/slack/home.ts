// The App Home tab: the readiness score and its trend, the digest's metric lines (live), SoA coverage, pending
// proposals (with Approve / Reject for approvers) and quick actions.
import type { HomeView } from '@slack/types';
import type { Core } from '../core.js';
import { breakdown, metricLines, scoreLine } from '../digest/render.js';
import type { Lang } from '../search/text.js';
import { label, roleLabels } from '../chat/messages.js';
import { button, decisionBlocks, type Block } from './blocks.js';
import { coreDigestData } from './digest.js';
import { slackText } from './messages.js';

export async function homeView(core: Core, user: string, lang: Lang, now?: Date): Promise<HomeView> {
  const { metrics: m, trend } = await coreDigestData(core, { now });
  const pending = (await core.store.soaRows()).filter((r) => r.pending);
  const pct = (a: number, b: number) => (b ? `${Math.round((a / b) * 100)}%` : '–');
  const t = slackText[lang];
  const approver = core.chat.isApprover(user);
  const blocks: Block[] = [
    { type: 'header', text: { type: 'plain_text', text: t.homeHeader } },
    { type: 'section', text: { type: 'mrkdwn', text: scoreLine(m, trend, lang) } },
    {
      type: 'section',
      fields: [
        { type: 'mrkdwn', text: `*${t.soaCoverage}*\n${m.coverage.approved} / ${m.coverage.relevant} (${pct(m.coverage.approved, m.coverage.relevant)})` },
        { type: 'mrkdwn', text: `*${t.implementedOfApplicable}*\n${m.implemented.implemented} / ${m.implemented.applicable} (${pct(m.implemented.implemented, m.implemented.applicable)})` },
        { type: 'mrkdwn', text: `*${t.pendingProposals}*\n${pending.length}` },
        { type: 'mrkdwn', text: `*${t.rolesInScope}*\n${m.roles.map((r) => label(roleLabels, r, lang)).join(t.listSep)}` },
      ],
    },
    { type: 'section', text: { type: 'mrkdwn', text: metricLines(m, lang).map((l) => `• ${l}`).join('\n').slice(0, 2990) } },
    { type: 'context', elements: [{ type: 'mrkdwn', text: `${breakdown(m, lang)} · ${m.week} (${m.timezone})` }] },
    {
      type: 'actions',
      elements: [
        button(t.startAssessment, 'home_assess', 'assess', 'primary'),
        button(t.missedControls, 'home_missing', 'missing'),
        // Only approvers may export (the file goes to their DM); others do not get a button that would refuse them.
        ...(approver ? [button(t.exportSoa, 'home_export', 'xlsx')] : []),
        button(t.help, 'home_help', 'help'),
      ],
    },
    { type: 'divider' },
    { type: 'section', text: { type: 'mrkdwn', text: `*${t.pendingProposalsHead}*${pending.length ? '' : `\n${t.none}`}` } },
  ];
  for (const r of pending.slice(0, 15)) blocks.push(...decisionBlocks(r, r.pending!, lang, approver));
  return { type: 'home', blocks };
}

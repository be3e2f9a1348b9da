// Assessment buttons, pickers and the risk-analysis form. Each turns into the same input a thread reply gives.
import type { App, BlockAction } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import * as parse from '../../assessment/parse.js';
import type { AssessmentInput } from '../../assessment/types.js';
import { ANALYSIS_MODAL, analysisModal, postAssessment, threadOf } from '../assessment.js';
import { guarded, type SlackDeps } from '../context.js';
import { unseal, seal } from '../meta.js';
import { permalink, userLang } from '../web.js';
import { fitView } from '../blockkit.js';
import { slackText } from '../messages.js';

/** Feeds one input to the assessment of a thread and posts the result there. */
export async function feed(deps: SlackDeps, client: WebClient, thread: string, input: AssessmentInput): Promise<void> {
  const [channel, threadTs] = thread.split(':') as [string, string];
  const lang = (await userLang(client, input.user)) ?? deps.core.ctx.config.lang;
  await guarded(deps, client, { user: input.user, channel, lang }, async () => {
    const reply = await deps.core.assessments.input(thread, input, await permalink(client, channel, threadTs));
    if (!reply) {
      await client.chat.postEphemeral({ channel, user: input.user, text: slackText[lang].noAssessment });
      return;
    }
    await postAssessment(deps, client, reply, { channel, threadTs, user: input.user });
  });
}

const now = () => new Date().toISOString();

export function registerAssessment(app: App, deps: SlackDeps): void {
  const { core } = deps;

  app.action<BlockAction>(/^assess_(choice_.+|ok|cancel)$/, async ({ ack, action, body, client }) => {
    await ack();
    const thread = threadOf(action.block_id);
    if (thread && action.type === 'button') await feed(deps, client, thread, { user: body.user.id, text: action.value ?? '', at: now() });
  });

  app.action<BlockAction>('assess_multi', async ({ ack, action, body, client }) => {
    await ack();
    const thread = threadOf(action.block_id);
    if (thread && action.type === 'multi_static_select') {
      await feed(deps, client, thread, { user: body.user.id, text: action.selected_options.map((o) => o.value).join(','), at: now() });
    }
  });

  app.action<BlockAction>('assess_owner', async ({ ack, action, body, client }) => {
    await ack();
    const thread = threadOf(action.block_id);
    if (thread && action.type === 'users_select') await feed(deps, client, thread, { user: body.user.id, text: `<@${action.selected_user}>`, at: now(), picked: 'owner' });
  });

  app.action<BlockAction>('assess_form', async ({ ack, action, body, client }) => {
    await ack();
    const thread = threadOf(action.block_id);
    await guarded(deps, client, { user: body.user.id, channel: thread?.split(':')[0] }, async () => {
      const state = thread ? await core.assessments.active(thread) : undefined;
      if (!thread || !state) return;
      const defaults = await core.assessments.formDefaults(thread);
      const modal = analysisModal(thread, thread.split(':')[0]!, defaults?.title ?? '', state.lang, defaults);
      await client.views.open({ trigger_id: body.trigger_id, view: fitView({ ...modal, private_metadata: seal(deps.metaKey, { thread }, core.workspace()) }) });
    });
  });

  app.view(ANALYSIS_MODAL, async ({ ack, view, body, client }) => {
    // The thread it answers for is the one the bot sealed into the form, never one a payload names.
    const thread = unseal<{ thread?: unknown }>(deps.metaKey, view.private_metadata, core.workspace())?.thread;
    if (typeof thread !== 'string' || !await core.assessments.active(thread)) {
      await ack({ response_action: 'errors', errors: { cia: 'Form not verified or the assessment has ended; nothing was recorded. / 確認できないフォームか、終了したアセスメントです。何も記録していません。' } });
      return;
    }
    const v = view.state.values as Record<string, Record<string, { selected_options?: { value: string }[]; selected_user?: string; selected_option?: { value: string } }>>;
    const fields = {
      cia: (v.cia?.value?.selected_options ?? []).map((o) => o.value).join(''),
      owner: v.owner?.value?.selected_user ? `<@${v.owner.value.selected_user}>` : '',
      likelihood: v.likelihood?.value?.selected_option?.value ?? '',
      impact: v.impact?.value?.selected_option?.value ?? '',
      treatment: v.treatment?.value?.selected_option?.value ?? '',
    };
    // Checked here so that problems show inline in the form; the flow checks the same again.
    const errors: Record<string, string> = {};
    const t = slackText[(await core.assessments.active(thread))?.lang ?? 'en'];
    if (!parse.cia(fields.cia)) errors.cia = t.pickAtLeastOne;
    if (!parse.owner(fields.owner)) errors.owner = t.ownerRequired;
    if (!parse.score(fields.likelihood)) errors.likelihood = '1-5';
    if (!parse.score(fields.impact)) errors.impact = '1-5';
    if (Object.keys(errors).length) {
      await ack({ response_action: 'errors', errors });
      return;
    }
    await ack();
    await feed(deps, client, thread, { user: body.user.id, text: '', at: now(), fields });
  });
}

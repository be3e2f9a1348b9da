// SoA modal submission: validated by the store before the modal closes; errors are shown inline, nothing is written.
// The listener reads the form and its sealed metadata; the chat core records the decision.
import type { App } from '@slack/bolt';
import { newRef } from '../../chat/service.js';
import { StoreError } from '../../soa/index.js';
import { guarded, postReplies, type SlackDeps } from '../context.js';
import { unseal } from '../meta.js';
import { modalErrors, modalInput, SOA_MODAL, type ModalMeta } from '../modal.js';

export function registerViews(app: App, deps: SlackDeps): void {
  const { core } = deps;
  app.view(SOA_MODAL, async ({ ack, view, body, client }) => {
    // The metadata names the control and the channel: only what the bot itself sealed is trusted.
    const meta = unseal<ModalMeta>(deps.metaKey, view.private_metadata, core.workspace());
    if (!meta || typeof meta.control !== 'string' || typeof meta.source !== 'string' || (meta.lang !== 'ja' && meta.lang !== 'en')) {
      deps.log.warn('soa form refused: its metadata is not the one the bot sealed', { user: body.user.id });
      await ack({ response_action: 'errors', errors: { applicable: 'Form not verified; nothing was recorded. Reopen it: /isms soa set <id> / 確認できないフォームです。何も記録していません。開き直してください。' } });
      return;
    }
    let reply;
    try {
      const input = modalInput(view.state.values, meta, body.user.id, await core.chat.formDecision(meta.control));
      reply = await core.chat.recordDecision(input, meta.lang);
    } catch (e) {
      if (e instanceof StoreError) {
        await ack({ response_action: 'errors', errors: modalErrors(e.issues) });
        return;
      }
      const ref = newRef('err');
      deps.log.error('soa form failed', { ref, error: (e as Error).message });
      await ack({ response_action: 'errors', errors: { applicable: `Not recorded: something went wrong (ref: ${ref}). / 記録できませんでした（ref: ${ref}）。` } });
      return;
    }
    await ack();
    if (!meta.channel) return;
    await guarded(deps, client, { user: body.user.id, channel: meta.channel, lang: meta.lang }, () =>
      postReplies(deps, client, [reply], { channel: meta.channel!, user: body.user.id }));
  });
}

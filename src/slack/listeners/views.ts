// SoA modal submission: validated by the store before the modal closes; errors are shown inline, nothing is written.
import type { App } from '@slack/bolt';
import { StoreError } from '../../soa/index.js';
import { guarded, postReplies, type SlackDeps } from '../context.js';
import { modalErrors, modalInput, SOA_MODAL, type ModalMeta } from '../modal.js';

export function registerViews(app: App, deps: SlackDeps): void {
  const { core } = deps;
  app.view(SOA_MODAL, async ({ ack, view, body, client }) => {
    const meta = JSON.parse(view.private_metadata) as ModalMeta;
    const input = modalInput(view.state.values as never, meta, body.user.id);
    let decision;
    try {
      decision = core.store.soa.set(input);
    } catch (e) {
      if (!(e instanceof StoreError)) throw e;
      await ack({ response_action: 'errors', errors: modalErrors(e.issues) });
      return;
    }
    await ack();
    const reply = { type: 'recorded' as const, lang: meta.lang, decision, row: core.chat.row(decision.controlId), approvers: decision.state === 'proposed' ? core.ctx.config.approvers : [] };
    deps.log.info('soa decision recorded', { control: decision.controlId, state: decision.state, by: body.user.id, source: meta.source });
    if (!meta.channel) return;
    await guarded(deps, client, { user: body.user.id, channel: meta.channel, lang: meta.lang }, () =>
      postReplies(deps, client, [reply], { channel: meta.channel!, user: body.user.id }));
  });
}

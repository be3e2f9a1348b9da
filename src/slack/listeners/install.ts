// Uninstalls (several workspaces): when a workspace removes the app or revokes its bot token, its installation (and so
// its token) is deleted. Its records stay: the SoA, risks and audit chain are the organisation's evidence, not the
// app's. The workspace is the request's own (core.workspace()), never one the payload names elsewhere.
import type { App } from '@slack/bolt';
import type { SlackDeps } from '../context.js';

export function registerInstallEvents(app: App, deps: SlackDeps): void {
  const forget = async (why: string) => {
    const workspace = deps.core.workspace();
    if (!deps.installations || !workspace) {
      deps.log.warn(`slack ${why}: no further events will arrive from this workspace`);
      return;
    }
    await deps.installations.deleteWorkspace(workspace);
    deps.log.info(`slack ${why}: installation deleted; the workspace's records are kept`, { workspace });
  };
  app.event('app_uninstalled', async () => {
    await forget('app uninstalled');
  });
  app.event('tokens_revoked', async ({ event }) => {
    if (event.tokens.bot?.length) await forget('bot token revoked');
  });
}

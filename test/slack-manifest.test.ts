// The manifest must create an app that delivers what the listeners handle.
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { ASK_SHORTCUT } from '../src/slack/listeners/shortcuts.js';

const manifest = readFileSync(new URL('../slack/manifest.yml', import.meta.url), 'utf8');

it('declares the slash command, the shortcut, the events, the scopes and Socket Mode', () => {
  expect(manifest).toMatch(/- command: \/isms\n/);
  expect(manifest).toContain(`callback_id: ${ASK_SHORTCUT}`);
  for (const ev of ['app_mention', 'message.im', 'message.channels', 'app_home_opened']) expect(manifest).toMatch(new RegExp(`- ${ev.replace('.', '\\.')}\\n`));
  for (const scope of ['app_mentions:read', 'channels:history', 'chat:write', 'commands', 'files:write', 'im:history', 'im:write', 'pins:write', 'users:read']) expect(manifest).toContain(`- ${scope}\n`);
  expect(manifest).toMatch(/socket_mode_enabled: true/);
  expect(manifest).toMatch(/home_tab_enabled: true/);
  expect(manifest).toMatch(/interactivity:\n\s+is_enabled: true/);
});

it('switches on the Agents & AI Apps surface with the scope and events it needs', async () => {
  const { handled } = await import('../src/slack/payload.js');
  expect(manifest).toMatch(/\n {2}assistant_view:\n {4}assistant_description: \S.{10,}\n/);
  for (const scope of ['assistant:write', 'chat:write', 'im:history']) expect(manifest).toContain(`- ${scope}\n`);
  for (const ev of ['assistant_thread_started', 'assistant_thread_context_changed', 'message.im']) expect(manifest).toMatch(new RegExp(`- ${ev.replace('.', '\\.')}\\n`));
  // Every event a listener handles is one the manifest subscribes to.
  for (const ev of handled.events) if (ev !== 'message') expect(manifest, ev).toContain(`- ${ev}\n`);
});

it('asks an OAuth install for exactly the manifest\'s bot scopes (several workspaces)', async () => {
  const { botScopes } = await import('../src/slack/app.js');
  const { manifestBotScopes } = await import('./helpers/fake-slack.js');
  expect([...botScopes].sort()).toEqual([...manifestBotScopes()].sort());
  for (const ev of ['app_uninstalled', 'tokens_revoked']) expect(manifest, ev).toContain(`- ${ev}\n`);
});

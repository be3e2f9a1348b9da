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

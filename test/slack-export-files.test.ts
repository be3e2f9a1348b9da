// An exported SoA leaves the bot's disk once it is handed to Slack (or the upload failed): none piles up in the data
// folder, whichever workspace asked for it.
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WebClient } from '@slack/web-api';
import { expect, it } from 'vitest';
import { deliverFile } from '../src/slack/context.js';

const file = () => {
  const path = join(mkdtempSync(join(tmpdir(), 'isms-deliver-')), 'SoA.xlsx');
  writeFileSync(path, 'PK…');
  return path;
};
const client = (upload: () => Promise<unknown>) => ({
  conversations: { open: () => Promise.resolve({ ok: true, channel: { id: 'DU1' } }) },
  files: { uploadV2: upload },
}) as unknown as WebClient;

it('removes the file after the upload, and after a failed one', async () => {
  const sent = file();
  let uploaded = '';
  expect(await deliverFile(client((a?: unknown) => { uploaded = (a as { file: string }).file; return Promise.resolve({ ok: true }); }), 'U1',
    { type: 'file', lang: 'en', path: sent, filename: 'SoA.xlsx', title: 'SoA' })).toBe('DU1');
  expect(uploaded).toBe(sent);
  expect(existsSync(sent)).toBe(false);

  const failed = file();
  await expect(deliverFile(client(() => Promise.reject(new Error('files.uploadV2 failed: not_authed'))), 'U1',
    { type: 'file', lang: 'en', path: failed, filename: 'SoA.xlsx', title: 'SoA' })).rejects.toThrow(/not_authed/);
  expect(existsSync(failed)).toBe(false);
});

// Issue 14, item 7: ISMS_DOCS_DIR follows a symlink only inside the folder; a link to a file outside is never indexed or
// quoted, and a link loop or a broken link does not stop the bot from starting.
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { createCore } from '../src/core.js';
import { readDocs, type SkippedDoc } from '../src/search/docs.js';
import { tempDir } from './fixtures/soa-helpers.js';

function docsFolder() {
  const base = tempDir();
  const docs = join(base, 'docs');
  const outside = join(base, 'outside');
  mkdirSync(join(docs, 'policies'), { recursive: true });
  mkdirSync(outside);
  writeFileSync(join(docs, 'policies', 'backup.md'), '# Backup policy\n\nWe back up customer data nightly (12.3.1).\n');
  writeFileSync(join(outside, 'secret.md'), '# Payroll secrets\n\nZEBRAQUOKKA salary table of the board.\n');
  symlinkSync(join(outside, 'secret.md'), join(docs, 'secret.md')); // a file outside
  symlinkSync(outside, join(docs, 'outside-folder')); // a folder outside
  symlinkSync(join(docs, 'policies', 'backup.md'), join(docs, 'backup-link.md')); // inside: followed
  symlinkSync(docs, join(docs, 'policies', 'loop')); // a folder loop
  symlinkSync(join(docs, 'self.md'), join(docs, 'self.md')); // a link to itself
  symlinkSync(join(base, 'gone.md'), join(docs, 'broken.md')); // a broken link
  return docs;
}

it('reads the documents inside the folder, skips links that leave it, loops and broken links, and says why', () => {
  const docs = docsFolder();
  const skipped: SkippedDoc[] = [];
  const read = readDocs(docs, (s) => skipped.push(s));
  expect(read.map((d) => d.file).sort()).toEqual(['backup-link.md', 'policies/backup.md']);
  expect(read.some((d) => d.text.includes('ZEBRAQUOKKA'))).toBe(false);
  expect(Object.fromEntries(skipped.map((s) => [s.file, s.reason]))).toEqual({
    'secret.md': 'a symlink to outside ISMS_DOCS_DIR',
    'outside-folder': 'a symlink to outside ISMS_DOCS_DIR',
    'self.md': expect.stringMatching(/cannot be read \(ELOOP/),
    'broken.md': expect.stringMatching(/cannot be read \(ENOENT/),
  });
});

it('starts with such a folder, and never quotes the file outside it', async () => {
  const core = await createCore(loadConfig({ ISMS_DATA_DIR: tempDir(), ISMS_DOCS_DIR: docsFolder(), EMBEDDINGS: 'off', LOG_LEVEL: 'silent' }));
  try {
    const a = await core.answers.ask('ZEBRAQUOKKA salary table of the board');
    expect(a.answer).not.toContain('ZEBRAQUOKKA');
    const b = await core.answers.ask('How often do we back up customer data?');
    expect(b.answer).toMatch(/nightly/);
  } finally {
    await core.close();
  }
});

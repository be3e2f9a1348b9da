// An assessment is approved once, even when two approvals arrive together.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { commitAssessment } from '../src/assessment/commit.js';
import { loadConfig } from '../src/config.js';
import { createCore, type Core } from '../src/core.js';
import { StoreError } from '../src/soa/index.js';
import { analysis, missed, pickRisks, scope } from './helpers/assessment-script.js';

let core: Core;
beforeAll(async () => {
  core = await createCore(loadConfig({ ISMS_SOA_EDITION: '2013', ISMS_DATA_DIR: mkdtempSync(join(tmpdir(), 'isms-approve-')), EMBEDDINGS: 'off', ISMS_APPROVERS: 'carol', ISMS_LANG: 'en', LOG_LEVEL: 'silent' }));
});
afterAll(() => core.close());

const say = (user: string, text: string) => core.chat.handle({ text, user, thread: 'T1', source: 'console' });

it('writes once when the approver presses Approve twice at the same moment', async () => {
  for (const line of ['assess PayCloud', ...scope, ...pickRisks, ...analysis, ...missed, 'submit']) await say('alice', line);
  const state = (await core.assessments.active('T1'))!;
  expect(state.step).toBe('review');
  const [a, b] = await Promise.all([say('carol', 'approve'), say('carol', 'approve')]);
  const texts = [a, b].map((r) => JSON.stringify(r));
  expect(texts.filter((t) => t.includes('Approved and written'))).toHaveLength(1);
  expect(await core.store.risks.list()).toHaveLength(3);
  expect((await core.store.audit.entries(500)).filter((e) => e.action === 'assessment.approve')).toEqual([expect.objectContaining({ subject: state.id, actor: 'carol' })]);
  // Even with the thread state lost (e.g. a crash before it was saved), a second commit writes nothing.
  const before = (await core.store.audit.entries(1000)).length;
  await expect(async () => await commitAssessment(core.store, state, 'carol', 'console')).rejects.toThrow(StoreError);
  expect((await core.store.audit.entries(1000)).length).toBe(before);
  expect(await core.store.verifyAudit()).toMatchObject({ ok: true });
});

it('refuses an excluded control marked as implemented', async () => {
  await expect(async () => await core.store.soa.set({ control: '11.1.3', applicable: false, status: 'implemented', justification: 'No offices of our own: staff work remotely', by: 'carol' })).rejects
    .toThrow(/a control that is not applicable cannot be implemented/);
});

it('says in the summary when a chosen control reverses an approved exclusion', async () => {
  await core.store.soa.set({ control: '17.2.1', applicable: false, status: 'not-implemented', justification: 'Availability is contracted to the provider only (see SLA 4.2)', by: 'carol' });
  const replies = [];
  for (const line of ['assess PayCloud', ...scope, 'RL-01', 'next', 'owner alice', 'next']) replies.push(...(await core.chat.handle({ text: line, user: 'alice', thread: 'T2', source: 'console' })));
  const last = replies.at(-1) as { type: string; summary: string };
  expect(last.type).toBe('assessment');
  expect((await core.assessments.active('T2'))!.risks.some((r) => r.controls.includes('17.2.1'))).toBe(true);
  expect(last.summary).toContain('Reverses approved exclusions (becomes applicable): 17.2.1');
});

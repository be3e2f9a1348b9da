// The standard assessment of issue 18, scripted: a SaaS we provide on AWS with two assets, from start to approval, in
// at most 15 typed messages. The same script is the README walkthrough; a test keeps the two in step.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { AssessmentReply } from '../src/assessment/session.js';
import { loadConfig } from '../src/config.js';
import { createCore, type Core } from '../src/core.js';
import { standard, TYPED_BEFORE } from './helpers/assessment-script.js';
import { root } from './helpers/cli.js';

let core: Core;
const replies: AssessmentReply[] = [];
let typed = 0;

beforeAll(async () => {
  core = await createCore(loadConfig({
    ISMS_SOA_EDITION: '2022', ISMS_DATA_DIR: mkdtempSync(join(tmpdir(), 'isms-standard-')), EMBEDDINGS: 'off',
    ISMS_APPROVERS: 'carol', ISMS_LANG: 'en', LOG_LEVEL: 'silent',
  }));
  for (const [user, text] of standard) {
    typed++;
    const out = await core.chat.handle({ text, user, thread: 'T-standard', source: 'console' });
    replies.push(...(out as AssessmentReply[]));
  }
});
afterAll(() => core.close());

it('completes from start to approval in at most 15 typed messages (41 before), none of them misunderstood', () => {
  expect(typed).toBe(standard.length);
  expect(typed).toBeLessThanOrEqual(15);
  expect(typed).toBeLessThan(TYPED_BEFORE);
  expect(replies.every((r) => r.type === 'assessment')).toBe(true);
  expect(replies.filter((r) => r.error).map((r) => r.error)).toEqual([]);
  expect(replies.at(-1)!.notes.join('\n')).toContain('Approved and written.');
});

it('wrote what the script decided: six risks with owner and level, the 27017 group line by line, the exclusion with its reason', async () => {
  const { store } = core;
  const risks = await store.risks.list();
  expect(risks).toHaveLength(6);
  expect(risks.every((r) => r.owner === 'alice' && r.service === 'Acme Portal' && r.treatment === 'modify' && r.controls.length > 0)).toBe(true);
  // Risk 2 took the typed 4 × 5; the others the library's suggestion.
  expect([risks[1]!.likelihood, risks[1]!.impact, risks[1]!.level]).toEqual([4, 5, 'high']);
  expect((await store.profile.get())!.services).toEqual([expect.objectContaining({ name: 'Acme Portal', role: 'both', model: 'SaaS', runsOn: 'AWS' })]);
  const rows = (await store.soaRows()).filter((r) => r.current);
  const cloud = rows.filter((r) => r.role && r.current!.reasons.some((x) => x.startsWith('business:ISO/IEC 27017 cloud guidance for our roles')));
  expect(cloud.length).toBeGreaterThan(30);
  expect((await store.soa.state('7.1')).current).toMatchObject({ applicable: false, justification: 'SaaS on AWS: no premises of our own in scope', proposedBy: 'alice', approvedBy: 'carol' });
  expect(await store.verifyAudit()).toMatchObject({ ok: true });
});

it('showed the approver one screen: risks with levels, treatments and controls, SoA changes, the exclusion and why', () => {
  const atReview = replies.find((r) => r.state.step === 'review' && r.details)!;
  const summary = atReview.notes.find((n) => n.startsWith('*Risk assessment'))!;
  expect(summary.split('\n').length).toBeLessThanOrEqual(20);
  expect(summary.length).toBeLessThan(1800);
  expect(summary).toMatch(/^2\. Supply-chain failure of a sub-provider — 4×5=20 high · alice · modify → 15\.1\.3/m);
  expect(summary).toMatch(/^SoA: \d+ lines applicable for the risks · \d+ by group · 1 excluded · \d+ left open$/m);
  expect(summary).toContain('• 7.1 — SaaS on AWS: no premises of our own in scope');
  // The details name every line the approval writes.
  expect(atReview.details).toMatch(/Applied as group 1 \(\d+\), reason "ISO\/IEC 27017 cloud guidance for our roles \(provider of Acme Portal, customer of AWS\)":/);
});

it('is the walkthrough in the README, message for message', () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const block = /<!-- standard-assessment -->\n```text\n([\s\S]*?)```/.exec(readme);
  expect(block, 'README walkthrough block').toBeTruthy();
  const typedInReadme = block![1]!.split('\n').filter((l) => /^\w+> /.test(l)).map((l) => [l.slice(0, l.indexOf('>')), l.slice(l.indexOf('>') + 2)]);
  expect(typedInReadme).toEqual(standard);
});

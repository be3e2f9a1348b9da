// Natural answers: "AWS" on the runs-on step, "はい" alone asks which service, product names for models and platforms,
// several facts in one answer, Japanese and English at every step, and a suggestion for what was not understood.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AssessmentReply } from '../src/assessment/session.js';
import { loadConfig } from '../src/config.js';
import { createCore, type Core } from '../src/core.js';

let core: Core;
beforeAll(async () => {
  core = await createCore(loadConfig({ ISMS_SOA_EDITION: '2022', ISMS_DATA_DIR: mkdtempSync(join(tmpdir(), 'isms-natural-')), EMBEDDINGS: 'off', ISMS_APPROVERS: 'carol', ISMS_LANG: 'en', LOG_LEVEL: 'silent' }));
});
afterAll(() => core.close());

let n = 0;
/** Types the lines into a new thread and returns each reply. */
async function run(lines: string[], user = 'alice'): Promise<{ thread: string; replies: AssessmentReply[] }> {
  const thread = `T-${++n}`;
  const replies: AssessmentReply[] = [];
  for (const text of lines) replies.push(...((await core.chat.handle({ text, user, thread, source: 'console' })) as AssessmentReply[]));
  return { thread, replies };
}
const last = (r: { replies: AssessmentReply[] }) => r.replies.at(-1)!;

describe('the runs-on step', () => {
  it('takes "AWS" as "yes, on AWS", and puts both roles in scope', async () => {
    const r = await run(['assess Acme Portal', 'provider', 'SaaS', 'AWS']);
    expect(last(r).error).toBeUndefined();
    expect(last(r).state.scope).toMatchObject({ role: 'both', runsOn: 'AWS' });
    expect(last(r).state.step).toBe('assets');
    expect(last(r).notes).toEqual(['Acme Portal runs on AWS, so both the provider and the customer role are in scope (JIP-ISMS517 4.1).']);
  });

  it('asks which service after "はい" alone, then takes the name', async () => {
    const r = await run(['assess Acme Portal', 'provider', 'SaaS', 'はい']);
    expect(last(r).error).toBeUndefined();
    expect(last(r).state.step).toBe('runsOn');
    expect(last(r).prompt!.text).toBe('Which cloud service does Acme Portal run on? (e.g. AWS, Azure, Google Cloud; several with commas)');
    const after = await core.chat.handle({ text: 'Azure', user: 'alice', thread: r.thread, source: 'console' });
    expect((after[0] as AssessmentReply).state.scope.runsOn).toBe('Microsoft Azure');
  });

  it('takes product names and plain answers: EC2 and RDS, "yes, GCP", "no", "オンプレ", a cloud the vocabulary does not know', async () => {
    const runsOn = async (answer: string) => last(await run(['assess Acme Portal', 'provider', 'SaaS', answer])).state.scope.runsOn;
    expect(await runsOn('EC2 and RDS')).toBe('Amazon EC2, Amazon RDS');
    expect(await runsOn('yes, GCP')).toBe('Google Cloud');
    expect(await runsOn('AWS上で稼働しています')).toBe('AWS');
    expect(await runsOn('no')).toBeNull();
    expect(await runsOn('オンプレ')).toBeNull();
    expect(await runsOn('Sakura Cloud')).toBe('Sakura Cloud');
  });

  it('answers "I don\'t know" with what to do, not the same question', async () => {
    const r = last(await run(['assess Acme Portal', 'provider', 'SaaS', "I don't know"]));
    expect(r.error).toBe('If you are not sure, ask who runs the servers. Answer "no" (our own servers) or the cloud\'s name, e.g. AWS.');
    expect(r.prompt).toBeUndefined();
  });
});

describe('misunderstood input gets a suggestion, not the same question', () => {
  it('names what it did not understand and what to write, at each step', async () => {
    const base = ['assess Acme Portal', 'provider', 'SaaS', 'AWS'];
    const error = async (lines: string[]) => {
      const r = last(await run(lines));
      expect(r.prompt, lines.at(-1)).toBeUndefined();
      return r.error;
    };
    expect(await error(['assess Acme Portal', 'maybe'])).toMatch(/^"maybe" does not say who we are for this service\. Answer "provider" if we offer it/);
    expect(await error(['assess Acme Portal', 'provider', 'cloud'])).toMatch(/^"cloud" is not a service model I know\. Answer IaaS, PaaS or SaaS, or name a product like it \(Salesforce → SaaS/);
    expect(await error([...base, 'customer records, invoices: internal'])).toBe('What is the classification of "customer records"? Write it after a colon, e.g. "customer records: confidential".');
    expect(await error([...base, 'customer records: confidential', 'xyz'])).toMatch(/^"xyz" is not a risk number or ID\. Pick by number/);
    expect(await error([...base, 'customer records: confidential', '40'])).toMatch(/^There is no risk 40: the list goes to \d+/);
    expect(await error([...base, 'customer records: confidential', 'ok', '3'])).toBe('"3" alone: is it the likelihood or the impact? Write "likelihood 3", "impact 3", or both as "3x4".');
    expect(await error([...base, 'customer records: confidential', 'ok', 'ok'])).toMatch(/every risk needs an owner \(JIP-ISMS517 4\.2\.1\), and I have none to suggest\. Add one, e\.g\. "owner alice"/);
    expect(await error([...base, 'customer records: confidential', 'ok', 'owner alice', 'ok all', 'frobnicate 2'])).toBe('I did not understand "frobnicate 2". Try "apply 1", "include 12.4.1 <reason>", "exclude 7.1 <justification>" or "next".');
  });

  it('adds a sentence typed at the risks step as one\'s own risk, and says how to take it back', async () => {
    const r = last(await run(['assess Acme Portal', 'provider', 'SaaS', 'AWS', 'customer records: confidential', 'support staff read customer tickets they should not']));
    expect(r.notes).toEqual(['Added your own risk: "support staff read customer tickets they should not". "-N" removes it.']);
    expect(r.state.risks).toEqual([{ title: 'support staff read customer tickets they should not', controls: [] }]);
  });

  it('lists the rest of the ranked risks on "more" / 「他のリスク」', async () => {
    for (const more of ['more', '他のリスク']) {
      const r = last(await run(['assess Acme Portal', 'provider', 'SaaS', 'AWS', 'customer records: confidential', more]));
      expect(r.state.showAll).toBe(true);
      expect(r.prompt!.choices!.length).toBe(r.state.offered.length);
      expect(r.prompt!.choices!.length).toBeGreaterThan(8);
    }
  });
});

describe('product names and several facts in one answer', () => {
  it('reads the model from a product: "like Salesforce" is SaaS, "EC2" is IaaS', async () => {
    expect(last(await run(['assess X', 'customer', 'like Salesforce'])).state.scope.model).toBe('SaaS');
    expect(last(await run(['assess X', 'customer', 'EC2'])).state.scope.model).toBe('IaaS');
  });

  it('takes "provider SaaS on AWS" at the role step and skips the model and runs-on questions', async () => {
    const r = last(await run(['assess Acme Portal', 'we provide it as SaaS on AWS']));
    expect(r.state.scope).toMatchObject({ role: 'both', model: 'SaaS', runsOn: 'AWS' });
    expect(r.state.step).toBe('assets');
  });
});

describe('Japanese and English at every step', () => {
  it('runs a whole Japanese assessment on English answers', async () => {
    const thread = `T-ja-${++n}`;
    const say = async (text: string, user = 'alice') => (await core.chat.handle({ text, user, thread, source: 'console', locale: 'ja' }))[0] as AssessmentReply;
    const first = await say('アセスメント');
    expect(first.lang).toBe('ja');
    const replies = [first];
    for (const text of ['Payroll Cloud', 'we offer it', 'SaaS', 'on GCP', 'payroll data: strictly confidential, staff list: internal', '1-3', '+ Payroll sent to the wrong company', 'next', 'owner bob', 'CI 2x4 +12.3.1', 'retain', 'ok', 'apply 1', 'include 5.4 we keep contacts with authorities', 'next']) {
      replies.push(await say(text));
    }
    expect(replies.filter((x) => x.error).map((x) => x.error)).toEqual([]);
    const s = replies.at(-1)!.state;
    expect(s.lang).toBe('ja');
    expect(s.step).toBe('review');
    expect(s.scope).toMatchObject({ role: 'both', model: 'SaaS', runsOn: 'Google Cloud' });
    expect(s.risks.map((x) => x.libraryId ?? x.title)).toEqual([...s.offered.slice(0, 3), 'Payroll sent to the wrong company']);
    expect(s.risks[1]).toMatchObject({ cia: 'CI', likelihood: 2, impact: 4, owner: 'bob', treatment: 'modify' });
    expect(s.risks[1]!.controls).toContain('12.3.1');
    expect(s.risks[2]).toMatchObject({ owner: 'bob', treatment: 'retain', controls: [] });
    expect(s.decisions.find((d) => d.controlId === '5.4')).toMatchObject({ applicable: true, reason: 'we keep contacts with authorities' });
    // Japanese questions and notes throughout.
    expect(replies.at(-1)!.notes.join('\n')).toMatch(/^\*リスクアセスメント A-[0-9a-f]{6}\* — Payroll Cloud/m);
    // The review step too: "submit", and "approve" from someone who is not an approver, answered in Japanese.
    expect((await say('submit')).notes[0]).toBe('承認へ提出しました。');
    expect((await say('approve')).error).toBe('承認できるのは承認者だけです（alice は承認者ではありません）。「提出」で提出してください。何も記録していません。');
    expect(await core.store.risks.list()).toEqual([]);
  });

  it('runs a whole English assessment on Japanese answers', async () => {
    const r = await run(['assess Kintai Cloud', 'プロバイダ', 'サース', 'AWS上で稼働', '顧客データ：機密、請求書：社外秘', 'はい', '所有者 田中', '起こりやすさ4 影響5', 'すべてOK', '適用 1', '除外 7.1 AWS上のSaaSで自社の施設はない', '提出']);
    expect(r.replies.filter((x) => x.error).map((x) => x.error)).toEqual([]);
    const s = last(r).state;
    expect(s.lang).toBe('en');
    expect(s.step).toBe('review');
    expect(s.submittedBy).toBe('alice');
    expect(s.scope).toMatchObject({ service: 'Kintai Cloud', role: 'both', model: 'SaaS', runsOn: 'AWS', assets: [{ name: '顧客データ', classification: '機密' }, { name: '請求書', classification: '社外秘' }] });
    expect(s.risks[1]).toMatchObject({ owner: '田中', likelihood: 4, impact: 5, treatment: 'modify' });
    expect(s.risks.every((x) => x.owner === '田中')).toBe(true);
    expect(s.decisions.filter((d) => d.group === 1).length).toBeGreaterThan(30);
    expect(s.decisions.find((d) => d.controlId === '7.1')).toMatchObject({ applicable: false, justification: 'AWS上のSaaSで自社の施設はない' });
    const approved = await core.chat.handle({ text: '承認', user: 'carol', thread: r.thread, source: 'console' });
    expect((approved[0] as AssessmentReply).notes.join('\n')).toContain('Approved and written.');
  });
});

// Last: an approval puts the service in the profile, which then suggests owners to every later test.
describe('a service already in the profile', () => {
  it('offers a service from the profile in one question: "ok" keeps its role, model and platform', async () => {
    await run(['assess Acme Portal', 'provider', 'SaaS', 'AWS', 'customer records: confidential', 'ok', 'owner alice', 'ok all', 'next', 'submit']);
    await core.chat.handle({ text: 'approve', user: 'carol', thread: `T-${n}`, source: 'console' });
    const again = await run(['assess acme portal']);
    expect(last(again).prompt!.text).toBe('Acme Portal is in the profile: customer and provider · SaaS · runs on AWS. "ok" keeps it, or say what is different (e.g. "customer", "PaaS", "runs on Azure").');
    const ok = await core.chat.handle({ text: 'ok', user: 'alice', thread: again.thread, source: 'console' });
    expect((ok[0] as AssessmentReply).state.step).toBe('assets');
    // The owner comes back from the earlier assessment of the service.
    const next = await run(['assess Acme Portal', 'ok', 'customer records: confidential', 'ok']);
    expect(last(next).prompt!.text).toMatch(/owner alice \((owned this risk in the last assessment of Acme Portal|owns \d+ risk\(s\) of Acme Portal)\)/);
  });
});

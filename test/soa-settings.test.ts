// A workspace's recorded settings (src/soa/settings.ts): its approvers and its digest channel, each change an entry of
// its audit chain. On both engines; and in a single-workspace store (ISMS_APPROVERS) the commands say where the
// setting lives instead of changing it.
import { afterAll, describe, expect, it } from 'vitest';
import { ChatService } from '../src/chat/service.js';
import { ChatState } from '../src/chat/state.js';
import { tempDir } from './fixtures/soa-helpers.js';
import type { Store } from '../src/soa/index.js';
import { closeEngines, engines, engineStore } from './helpers/stores.js';

afterAll(closeEngines);

/** What the chat says to `user` for `text` in channel C0DIGEST. */
async function say(store: Store, user: string, text: string): Promise<string> {
  const state = new ChatState(tempDir());
  // Only what these commands use: the store and the chat state (no answers, no assessments).
  const chat = new ChatService({ store, state, defaultLang: 'en', timezone: 'Asia/Tokyo' } as unknown as ConstructorParameters<typeof ChatService>[0]);
  const replies = await chat.handle({ text, user, thread: 'C0DIGEST:1700000000.000100', source: 'https://example.slack.com/archives/C0DIGEST', startsThread: true });
  await state.close();
  return replies.map((r) => ('text' in r ? r.text : `${(r as { message?: string }).message} ${(r as { hint?: string }).hint}`)).join('\n');
}

describe.each(engines)('workspace settings (%s)', (engine) => {
  it('the installing user becomes the first approver once; approvers change the list, with every change in the chain', async () => {
    const { store } = engineStore(engine, { approversFrom: 'record', defaultEdition: '2022' });
    expect([...await store.refreshApprovers()]).toEqual([]);
    expect(await store.settings.seedApprover('UANNA', 'slack-install')).toBe(true);
    expect(await store.settings.seedApprover('UOTHER', 'slack-install')).toBe(false);
    expect([...store.approvers]).toEqual(['UANNA']);

    await expect(store.settings.changeApprovers({ add: ['<@UEVE>'], by: 'UEVE', source: 'cli' })).rejects.toThrow(/UEVE is not an approver of this workspace/);
    await expect(store.settings.changeApprovers({ add: ['bob'], by: 'UANNA', source: 'cli' })).rejects.toThrow(/"bob" is not a Slack user/);
    expect(await store.settings.changeApprovers({ add: ['<@UBEN|ben>', 'UCARL'], by: 'UANNA', source: 'cli' })).toEqual(['UANNA', 'UBEN', 'UCARL']);
    expect(await store.settings.changeApprovers({ remove: ['<@UANNA>'], by: 'UBEN', source: 'cli' })).toEqual(['UBEN', 'UCARL']);
    await expect(store.settings.changeApprovers({ remove: ['UBEN', 'UCARL'], by: 'UBEN', source: 'cli' })).rejects.toThrow(/would leave this workspace without an approver/);

    // The list decides who approves a decision: UANNA was removed, UCARL is in.
    const proposed = await store.soa.set({ control: '5.1', applicable: 'yes', status: 'implemented', by: 'UANNA', source: 'cli' });
    expect(proposed.state).toBe('proposed');
    await expect(store.soa.approve('5.1', 'UANNA')).rejects.toThrow(/UANNA is not an approver/);
    expect((await store.soa.approve('5.1', 'UCARL')).state).toBe('approved');

    const entries = (await store.audit.entries()).filter((e) => e.action === 'setting approvers');
    expect(entries.map((e) => [e.actor, e.data.value])).toEqual([['UANNA', ['UANNA']], ['UANNA', ['UANNA', 'UBEN', 'UCARL']], ['UBEN', ['UBEN', 'UCARL']]]);
    expect(await store.verifyAudit()).toMatchObject({ ok: true });
  });

  it('an approver chooses the digest channel ("digest here"); anyone else is refused and nothing is recorded', async () => {
    const { store } = engineStore(engine, { approversFrom: 'record', defaultEdition: '2022' });
    await store.settings.seedApprover('UANNA', 'slack-install');
    expect(await say(store, 'UEVE', 'digest here')).toMatch(/UEVE is not an approver/);
    expect(await store.settings.get('digest-channel')).toBeUndefined();
    expect(await say(store, 'UANNA', 'digest here')).toBe('The weekly readiness digest of this workspace will be posted to <#C0DIGEST>.');
    expect(await store.settings.get('digest-channel')).toBe('C0DIGEST');
    await expect(store.settings.setDigestChannel('#general', 'UANNA')).rejects.toThrow(/"#general" is not a Slack channel/);
    expect(await say(store, 'UANNA', 'approvers add <@UBEN>')).toBe('Approvers of this workspace: <@UANNA>, <@UBEN>. An approver changes them with "approvers add @name" or "approvers remove @name"; each change is in the audit trail.');
  });

  it('with ISMS_APPROVERS (one workspace) lists them and says where to change them; changes nothing', async () => {
    const { store, count } = engineStore(engine, { approvers: ['carol'] });
    expect(await say(store, 'carol', 'approvers')).toBe('Approvers of this workspace: carol. They are set by ISMS_APPROVERS in this deployment.');
    expect(await say(store, 'carol', 'approvers add <@UBEN>')).toMatch(/approvers are set by ISMS_APPROVERS in this deployment Change ISMS_APPROVERS and restart the bot/);
    expect(await say(store, 'carol', 'digest here')).toMatch(/the digest channel is set by ISMS_DIGEST_CHANNEL/);
    expect(await count('audit_log')).toBe(0);
  });
});

describe('in Japanese', () => {
  it('says every refusal of the settings in Japanese, with its fix', async () => {
    const { store } = engineStore('sqlite', { approversFrom: 'record', defaultEdition: '2022' });
    await store.settings.seedApprover('UANNA', 'slack-install');
    const ja = async (user: string, text: string) => {
      const state = new ChatState(tempDir());
      await state.setThreadLang('C0DIGEST:1700000000.000100', 'ja');
      const chat = new ChatService({ store, state, defaultLang: 'ja', timezone: 'Asia/Tokyo' } as unknown as ConstructorParameters<typeof ChatService>[0]);
      const replies = await chat.handle({ text, user, thread: 'C0DIGEST:1700000000.000100', source: 'https://example.slack.com/archives/C0DIGEST', startsThread: true });
      await state.close();
      return replies.map((r) => ('text' in r ? r.text : `${(r as { message?: string }).message} ${(r as { hint?: string }).hint}`)).join('\n');
    };
    expect(await ja('UEVE', 'approvers add <@UBEN>')).toBe('実施者: UEVE はこのワークスペースの承認者ではないため、設定を変更できません 承認者（UANNA）に依頼してください');
    expect(await ja('UANNA', 'approvers add bob')).toBe('追加: 「bob」は Slack のユーザーではありません @名前 でメンションするか、メンバー ID（U…）を指定してください');
    expect(await ja('UANNA', 'approvers remove <@UANNA>')).toBe('削除: このワークスペースの承認者がいなくなってしまいます 先に別の承認者を追加してから削除してください');
    expect(await ja('UANNA', 'digest here')).toBe('このワークスペースの週次レディネスダイジェストは <#C0DIGEST> に投稿されます。');
  });
});

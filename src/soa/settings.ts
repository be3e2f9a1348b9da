// The settings of one workspace that the ISMS itself records: who approves, and where the weekly digest is posted.
// A change is one entry in the audit chain ("setting approvers"), so who changed it and when is evidence, and the
// latest entry holds. Used where the deployment serves several Slack workspaces (OAuth); a single-workspace deployment
// keeps ISMS_APPROVERS and ISMS_DIGEST_CHANNEL.
import type { AuditLog } from './audit.js';
import { fail, Issues } from './errors.js';
import { source, text, isoDate } from './context.js';
import type { StoreDb } from './sql.js';
import { slackUserId } from './people.js';

export type SettingName = 'approvers' | 'digest-channel';

/** Where a workspace's approvers come from: ISMS_APPROVERS (one workspace), or the recorded setting (several). */
export type ApproversFrom = 'config' | 'record';

export const settingAction = (name: SettingName) => `setting ${name}`;

/** A Slack user from "<@U123>", "<@U123|alice>" or "U123"; undefined for anything else. */
export function userIdOf(raw: string): string | undefined {
  const m = /^<@([UW][A-Z0-9]{2,20})(\|[^>]*)?>$/.exec(raw.trim()) ?? /^([UW][A-Z0-9]{2,20})$/.exec(raw.trim());
  return m?.[1];
}

/** A Slack channel from "<#C123>", "<#C123|general>" or "C123"; undefined for anything else. */
export function channelIdOf(raw: string): string | undefined {
  const m = /^<#([CGD][A-Z0-9]{2,20})(\|[^>]*)?>$/.exec(raw.trim()) ?? /^([CGD][A-Z0-9]{2,20})$/.exec(raw.trim());
  return m?.[1];
}

export interface ApproverChange { add?: string[]; remove?: string[]; by?: string; source?: string }

export class Settings {
  constructor(
    private readonly db: StoreDb,
    private readonly audit: AuditLog,
    private readonly now: () => Date,
    /** The live list every part of the store checks: refreshed from the record in 'record' mode. */
    readonly approvers: string[],
    readonly approversFrom: ApproversFrom,
  ) {}

  /** The latest recorded value of a setting, or undefined when it was never set. */
  async get<T>(name: SettingName): Promise<T | undefined> {
    return await this.db.read(async () => {
      const row = await this.db.get<{ data: string | Record<string, unknown> }>('SELECT data FROM audit_log WHERE action = ? ORDER BY seq DESC LIMIT 1', [settingAction(name)]);
      if (!row) return undefined;
      const data = typeof row.data === 'string' ? JSON.parse(row.data) as Record<string, unknown> : row.data;
      return data.value as T;
    });
  }

  /** Reads the recorded approvers into the live list (no-op when they come from ISMS_APPROVERS). */
  async refreshApprovers(): Promise<string[]> {
    if (this.approversFrom === 'record') {
      const recorded = (await this.get<string[]>('approvers')) ?? [];
      this.approvers.splice(0, this.approvers.length, ...recorded);
    }
    return this.approvers;
  }

  private async record(name: SettingName, value: unknown, by: string, src: string): Promise<void> {
    await this.audit.append({ at: isoDate(this.now()), actor: by, action: settingAction(name), subject: name, extra: { value, source: src } });
  }

  private refuseConfig(what: string, variable: string): void {
    if (this.approversFrom === 'config') fail(what, `${what === 'approvers' ? 'approvers are' : 'the digest channel is'} set by ${variable} in this deployment`, `Change ${variable} and restart the bot`);
  }

  /** The approver who changes a setting; refused for anyone else. Call inside write(). */
  private async approver(by: string | undefined): Promise<string> {
    const list = await this.refreshApprovers();
    if (!by) fail('by', 'is required', 'Say who changes the setting');
    if (!list.includes(by)) {
      fail('by', `${by} is not an approver of this workspace, so cannot change its settings`, list.length
        ? `Ask one of ${list.join(', ')}`
        : 'No approvers are recorded for this workspace: reinstall the app (the installing user becomes its first approver)');
    }
    return by;
  }

  /**
   * Adds and removes approvers (Slack user IDs); only an approver may. The last approver cannot be removed: the workspace
   * would have nobody to approve anything. Returns the new list.
   */
  async changeApprovers(c: ApproverChange): Promise<string[]> {
    this.refuseConfig('approvers', 'ISMS_APPROVERS');
    const issues = new Issues();
    const by = text(issues, 'by', c.by);
    const src = source(issues, c.source);
    const ids = (field: 'add' | 'remove') => (c[field] ?? []).map((raw) => {
      const id = userIdOf(raw) ?? slackUserId(raw);
      if (!id) issues.add(field, `"${raw}" is not a Slack user`, 'Mention the person (@name) or give their member ID (U…)');
      return id ?? '';
    });
    const add = ids('add');
    const remove = ids('remove');
    if (!add.length && !remove.length) issues.add('approvers', 'names nobody to add or remove', 'Write "approvers add @name" or "approvers remove @name"');
    issues.done();
    return await this.db.write(async () => {
      const who = await this.approver(by);
      const next = [...this.approvers.filter((a) => !remove.includes(a))];
      for (const a of add) if (!next.includes(a)) next.push(a);
      if (!next.length) fail('remove', 'would leave this workspace without an approver', 'Add another approver first, then remove this one');
      if (next.join(',') === this.approvers.join(',')) return next;
      await this.record('approvers', next, who, src);
      this.approvers.splice(0, this.approvers.length, ...next);
      return next;
    });
  }

  /** The first approver of a newly installed workspace: the installing user, unless approvers are recorded already. */
  async seedApprover(user: string, src: string): Promise<boolean> {
    return await this.db.write(async () => {
      const list = await this.refreshApprovers();
      if (list.length) return false;
      await this.record('approvers', [user], user, src);
      this.approvers.splice(0, this.approvers.length, user);
      return true;
    });
  }

  /** Where this workspace's weekly digest is posted; only an approver may change it. */
  async setDigestChannel(channel: string, by: string | undefined, src?: string): Promise<string> {
    this.refuseConfig('digest-channel', 'ISMS_DIGEST_CHANNEL');
    const issues = new Issues();
    const id = channelIdOf(channel);
    if (!id) issues.add('channel', `"${channel}" is not a Slack channel`, 'Run "digest here" in the channel that should get the digest');
    const s = source(issues, src);
    issues.done();
    return await this.db.write(async () => {
      const who = await this.approver(by);
      if ((await this.get<string>('digest-channel')) !== id) await this.record('digest-channel', id, who, s);
      return id!;
    });
  }
}

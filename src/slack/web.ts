// Small helpers around the Slack Web API shared by the listeners: block typing, permalinks, user locale.
import type { KnownBlock } from '@slack/types';
import type { WebClient } from '@slack/web-api';
import type { Lang } from '../search/text.js';
import type { Block } from './blocks.js';
import { fitBlocks, fitView } from './blockkit.js';

/** Our blocks are plain JSON, fitted to Block Kit's limits; the Web API types want its own block union. */
export const kb = (blocks: Block[], maxBlocks?: number) => fitBlocks(blocks, maxBlocks) as unknown as KnownBlock[];

/** A modal or App Home view fitted to Block Kit's limits, typed for views.open / views.publish. */
export const kview = <T>(view: Record<string, unknown>) => fitView(view) as unknown as T;

const locales = new Map<string, Lang | undefined>();

/** The user's Slack locale as a reply language, cached per process. */
export async function userLang(client: WebClient, user: string): Promise<Lang | undefined> {
  if (locales.has(user)) return locales.get(user);
  let lang: Lang | undefined;
  try {
    const r = await client.users.info({ user, include_locale: true });
    const loc = (r.user as { locale?: string } | undefined)?.locale;
    lang = loc ? (loc.startsWith('ja') ? 'ja' : 'en') : undefined;
  } catch {
    lang = undefined;
  }
  locales.set(user, lang);
  return lang;
}

/** The permalink of a message (the thread), for the audit trail. Falls back to a link built from the IDs. */
export async function permalink(client: WebClient, channel: string, ts: string): Promise<string> {
  try {
    const r = await client.chat.getPermalink({ channel, message_ts: ts });
    if (r.permalink) return r.permalink;
  } catch {
    // fall through
  }
  return `https://slack.com/archives/${channel}/p${ts.replace('.', '')}`;
}

export function channelLink(channel: string): string {
  return `https://slack.com/app_redirect?channel=${channel}`;
}

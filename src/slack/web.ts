// Small helpers around the Slack Web API shared by the listeners: block typing, permalinks, users (locale, name).
import type { KnownBlock } from '@slack/types';
import type { WebClient } from '@slack/web-api';
import type { Lang } from '../search/text.js';
import type { Block } from './blocks.js';
import { fitBlocks, fitView } from './blockkit.js';
import { people, slackUserId, type PeopleDirectory } from '../soa/people.js';

/** Our blocks are plain JSON, fitted to Block Kit's limits; the Web API types want its own block union. */
export const kb = (blocks: Block[], maxBlocks?: number) => fitBlocks(blocks, maxBlocks) as unknown as KnownBlock[];

/**
 * The same as the JSON text that goes on the wire (Slack takes `blocks` as a JSON string in a form body). web-api
 * passes a string through as it is; given objects, it copies every block for a debug line it formats even when not
 * logging, then stringifies them: on an answer's blocks, a sizeable part of each post.
 */
export const kbText = (blocks: Block[], maxBlocks?: number) => JSON.stringify(fitBlocks(blocks, maxBlocks)) as unknown as KnownBlock[];

/** A modal or App Home view fitted to Block Kit's limits, typed for views.open / views.publish. */
export const kview = <T>(view: Record<string, unknown>) => fitView(view) as unknown as T;

/** What users.info tells us about a user: the reply language and the display name written beside their ID. */
interface UserInfo {
  lang: Lang | undefined;
  name: string | null;
  at: number;
}

/** users.info answers are kept for an hour; lookups already in flight are shared, so a burst makes one call per user. */
const userTtlMs = 60 * 60 * 1000;
const maxUsers = 10_000;

/** What is known of users, per Web API client: Bolt keeps one client per workspace and token, so one per workspace. */
interface Users {
  known: Map<string, UserInfo>;
  inFlight: Map<string, Promise<UserInfo>>;
}
const usersOf = new WeakMap<WebClient, Users>();
function usersFor(client: WebClient): Users {
  let u = usersOf.get(client);
  if (!u) usersOf.set(client, (u = { known: new Map(), inFlight: new Map() }));
  return u;
}

/** The display name Slack shows: the profile's display name, else the real name, else the handle. */
function displayName(u: { name?: string; real_name?: string; profile?: { display_name?: string; real_name?: string } } | undefined): string | null {
  return u?.profile?.display_name?.trim() || u?.profile?.real_name?.trim() || u?.real_name?.trim() || u?.name?.trim() || null;
}

async function lookUp(client: WebClient, user: string): Promise<UserInfo> {
  try {
    const r = await client.users.info({ user, include_locale: true });
    const u = r.user as Parameters<typeof displayName>[0] & { locale?: string };
    const info = { lang: u?.locale ? (u.locale.startsWith('ja') ? 'ja' as const : 'en' as const) : undefined, name: displayName(u), at: Date.now() };
    (directories.get(client) ?? people).note(user, info.name);
    return info;
  } catch {
    // Unknown for now: a failed lookup is retried after a minute, not on every message.
    return { lang: undefined, name: null, at: Date.now() - userTtlMs + 60_000 };
  }
}

/**
 * Where the names a client's lookups find are kept: with several workspaces, the directory of the workspace whose token
 * the client holds (its store records them), so a name learned in one workspace never appears in another's records.
 */
const directories = new WeakMap<WebClient, PeopleDirectory>();

export function namesGoTo(client: WebClient, directory: PeopleDirectory): void {
  directories.set(client, directory);
}

/** users.info for a user, cached with a TTL and shared while in flight. */
export async function userInfo(client: WebClient, user: string): Promise<UserInfo> {
  const { known, inFlight } = usersFor(client);
  const info = known.get(user);
  if (info && Date.now() - info.at < userTtlMs) return info;
  const pending = inFlight.get(user);
  if (pending) return pending;
  const p = lookUp(client, user).then((found) => {
    if (known.size >= maxUsers) known.delete(known.keys().next().value!);
    known.set(user, found);
    return found;
  }).finally(() => inFlight.delete(user));
  inFlight.set(user, p);
  return p;
}

/** The user's Slack locale as a reply language. */
export async function userLang(client: WebClient, user: string): Promise<Lang | undefined> {
  return (await userInfo(client, user)).lang;
}

/**
 * Looks up the people a payload names (who acts, users picked in a form, users mentioned in text), so that a write
 * records their display names. Waits at most `waitMs`: a slow users.info never delays an ack for long.
 */
export async function learnNames(client: WebClient, body: unknown, waitMs = 500): Promise<void> {
  const { known } = usersFor(client);
  const ids = [...mentionedUsers(body)].filter((id) => !known.has(id)).slice(0, 20);
  if (!ids.length) return;
  let timer: NodeJS.Timeout | undefined;
  const wait = new Promise<void>((done) => { timer = setTimeout(done, waitMs); });
  await Promise.race([Promise.all(ids.map((id) => userInfo(client, id))), wait]);
  clearTimeout(timer);
}

/** Slack user IDs in a payload: user fields, selected users, and <@U…> mentions in text (bounded walk). */
export function mentionedUsers(body: unknown): Set<string> {
  const out = new Set<string>();
  let budget = 2000;
  // User IDs sit in "user", "user_id", "selected_user(s)", and "id" inside a "user" object (block actions, views).
  const userKey = (key: string, parent: string) => key === 'user' || key === 'user_id' || key === 'selected_user' || (key === 'id' && parent === 'user');
  const walk = (v: unknown, key: string, parent: string) => {
    if (budget-- <= 0 || out.size >= 50) return;
    if (typeof v === 'string') {
      const id = userKey(key, parent) ? slackUserId(v) : null;
      if (id) out.add(id);
      if (v.includes('<@')) for (const m of v.matchAll(/<@([UW][A-Z0-9]{2,})(?:\|[^>]*)?>/g)) out.add(m[1]!);
      return;
    }
    if (Array.isArray(v)) {
      for (const x of v) walk(x, key === 'selected_users' ? 'selected_user' : key, parent);
      return;
    }
    if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, k, key);
  };
  walk(body, '', '');
  return out;
}

/** A link to a message built from its IDs, with no Web API call (Slack redirects it to the workspace's permalink). */
export function messageLink(channel: string, ts: string): string {
  return `https://slack.com/archives/${channel}/p${ts.replace('.', '')}`;
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

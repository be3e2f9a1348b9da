// People on the record: who proposed, approved, owns or published. A write keeps the display name known at that moment
// beside the ID (Slack user IDs mean nothing to an auditor), so a later rename does not rewrite history.

/** A Slack user ID ("U0123ABC", "W0123ABC") on its own or as a mention ("<@U0123ABC>", "<@U0123ABC|carol>"). */
const slackUser = /^(?:<@)?([UW][A-Z0-9]{2,})(?:\|[^>]*)?>?$/;

/** The Slack user ID in `who`, or null for a CLI user name or free text ("alice", "IT team"). */
export function slackUserId(who: string | null | undefined): string | null {
  const s = who?.trim() ?? '';
  const m = slackUser.exec(s);
  // "<@U1" or "U1>" alone is not a mention.
  if (!m || s.startsWith('<@') !== s.endsWith('>')) return null;
  return m[1]!;
}

const longest = 80;

/**
 * The display names this process has seen, by Slack user ID (filled from users.info by the Slack layer). One directory
 * per process: a user ID names the same person in every store this process opens.
 */
export class PeopleDirectory {
  private readonly names = new Map<string, string>();

  note(id: string, name: string | null | undefined): void {
    const clean = name?.replace(/\s+/g, ' ').trim().slice(0, longest);
    if (clean && slackUserId(id)) this.names.set(slackUserId(id)!, clean);
  }

  /** The display name for `who` (an ID or a mention) if known; null for a CLI name, which is its own name. */
  nameOf(who: string | null | undefined): string | null {
    const id = slackUserId(who);
    return id ? this.names.get(id) ?? null : null;
  }

  has(id: string): boolean {
    return this.names.has(id);
  }
}

export const people = new PeopleDirectory();

/** How a document names a person: "Carol Tanaka (UCAROL)" with a recorded name, "UCAROL" without, "alice" as typed. */
export function personLabel(who: string | null | undefined, name?: string | null): string {
  if (!who) return '';
  const id = slackUserId(who);
  if (!id) return who;
  return name ? `${name} (${id})` : id;
}

/** How a Slack message names a person: a mention, which Slack shows as the current name; anything else as typed. */
export function personMention(who: string | null | undefined): string {
  if (!who) return '';
  const id = slackUserId(who);
  return id ? `<@${id}>` : who;
}

// The bot's direct-message channel with a person. Every DM the bot sends (approval requests, exports, reminders,
// answers to App Home buttons) opens it here.
import type { WebClient } from '@slack/web-api';

/** Slack user IDs (U…, W…); CLI user names in ISMS_APPROVERS cannot be messaged. */
export const isSlackUser = (id: string): boolean => /^[UW][A-Z0-9]+$/.test(id);

/** The DM channel with `user` (conversations.open finds an existing one), or undefined when Slack names none. */
export async function openDm(client: WebClient, user: string): Promise<string | undefined> {
  const dm = await client.conversations.open({ users: user });
  return dm.channel?.id;
}

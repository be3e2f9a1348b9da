// Sealed modal metadata. A modal's private_metadata comes back with its submission; the bot wrote it, so it says which
// control a form decides and where to post. It is sealed with an HMAC under a key kept in ISMS_DATA_DIR/chat.sqlite,
// so a submission whose metadata was altered (which needs a signed payload) is refused and nothing is written. With
// several workspaces the seal also names the workspace it was made in: a form opened in one workspace and submitted
// from another verifies in neither.
import { createHmac, timingSafeEqual } from 'node:crypto';

/** `workspace`: the request's own (core.workspace()); the single workspace ('default') seals as before. */
const mac = (key: Buffer, data: string, workspace?: string) =>
  createHmac('sha256', key).update(`modal-meta:${workspace && workspace !== 'default' ? `${workspace}:` : ''}${data}`).digest('base64url');

/** `{"m": <json>, "s": <hmac>}`: the metadata and its seal. */
export function seal(key: Buffer, meta: unknown, workspace?: string): string {
  const m = JSON.stringify(meta);
  return JSON.stringify({ m, s: mac(key, m, workspace) });
}

/** The metadata when the seal matches (and was made in `workspace`), else undefined (altered, or not ours). */
export function unseal<T>(key: Buffer, raw: unknown, workspace?: string): T | undefined {
  if (typeof raw !== 'string' || raw.length > 3000) return undefined;
  try {
    const { m, s } = JSON.parse(raw) as { m?: unknown; s?: unknown };
    if (typeof m !== 'string' || typeof s !== 'string') return undefined;
    const want = Buffer.from(mac(key, m, workspace));
    const got = Buffer.from(s);
    if (got.length !== want.length || !timingSafeEqual(got, want)) return undefined;
    const meta = JSON.parse(m) as unknown;
    return meta && typeof meta === 'object' ? (meta as T) : undefined;
  } catch {
    return undefined;
  }
}

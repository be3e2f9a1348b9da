// SoA item keys: how a decision names the line of the SoA it answers.
import type { Edition } from '../catalog/catalog.js';
import type { Role } from './context.js';

export function itemKey(id: string, role: Role | null): string {
  return role ? `${id}@${role}` : id;
}

/** Splits "CLD.9.5.1@provider" (also "CLD.9.5.1/provider" or "CLD.9.5.1 provider") into the ID and the role. */
export function splitKey(raw: string): { id: string; role: string | null } {
  const m = /^(.+?)\s*[@/\s]\s*(customer|provider|カスタマ|プロバイダ)$/i.exec(raw.trim());
  if (!m) return { id: raw.trim(), role: null };
  const r = m[2]!.toLowerCase();
  return { id: m[1]!, role: r === 'カスタマ' ? 'customer' : r === 'プロバイダ' ? 'provider' : r };
}

/** The edition a stored key belongs to: 2022 keys are two-level Annex A IDs or carry a role. */
export function keyEdition(key: string): Edition {
  return key.includes('@') || /^\d+\.\d+$/.test(key) ? '2022' : '2013';
}


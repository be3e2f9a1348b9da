// Reading what participants type at each step: roles, models, CIA letters, scores, owners, lists, yes/no.
import type { Model, ScopeRole, Treatment } from './types.js';

const norm = (s: string) => s.normalize('NFKC').trim().toLowerCase();

export const isOk = (s: string) => /^(ok|okay|yes|y|はい|了解|それで|accept|次へ|next|done|完了)$/.test(norm(s));
export const isCancel = (s: string) => /^(cancel|キャンセル|中止|取消|取り消し)$/.test(norm(s));

export function role(s: string): ScopeRole | undefined {
  const t = norm(s);
  if (/^(1|customer|csc|カスタマ|利用者|クラウドサービスカスタマ)$/.test(t)) return 'customer';
  if (/^(2|provider|csp|プロバイダ|事業者|クラウドサービスプロバイダ)$/.test(t)) return 'provider';
  if (/^(3|both|両方|双方|カスタマとプロバイダ)$/.test(t)) return 'both';
  return undefined;
}

export function model(s: string): Model | undefined {
  const t = norm(s);
  return t === '1' || t === 'iaas' ? 'IaaS' : t === '2' || t === 'paas' ? 'PaaS' : t === '3' || t === 'saas' ? 'SaaS' : undefined;
}

export function treatment(s: string): Treatment | undefined {
  const t = norm(s);
  if (/^(1|modify|reduce|低減|修正)$/.test(t)) return 'modify';
  if (/^(2|retain|accept|保有|受容)$/.test(t)) return 'retain';
  if (/^(3|avoid|回避)$/.test(t)) return 'avoid';
  if (/^(4|share|transfer|移転|共有)$/.test(t)) return 'share';
  return undefined;
}

/** "CI", "C, A", "機密性 可用性" → "CI" / "CA"; undefined when anything else is typed. */
export function cia(s: string): string | undefined {
  const t = s.normalize('NFKC').toUpperCase().replace(/機密性/g, 'C').replace(/完全性/g, 'I').replace(/可用性/g, 'A').replace(/[\s,、/]+/g, '');
  if (!t || !/^[CIA]+$/.test(t)) return undefined;
  return ['C', 'I', 'A'].filter((x) => t.includes(x)).join('');
}

export function score(s: string): number | undefined {
  const t = norm(s);
  return /^[1-5]$/.test(t) ? Number(t) : undefined;
}

/** A Slack mention (<@U123>) becomes the user ID; a typed name stays as it is. */
export function owner(s: string): string | undefined {
  const t = s.normalize('NFKC').trim();
  const m = /^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$/.exec(t);
  if (m) return m[1];
  const name = t.replace(/^@/, '');
  if (!name || isOk(name) || /^(none|なし|-|n\/a)$/i.test(name)) return undefined;
  return name.length <= 80 ? name : undefined;
}

/** Comma, 、 or newline separated items. */
export function items(s: string): string[] {
  return s.normalize('NFKC').split(/[,、\n]+/).map((x) => x.trim()).filter(Boolean);
}

/** "customer records:confidential, invoices：internal" → assets; null when an item lacks its classification. */
export function assets(s: string): { name: string; classification: string }[] | null {
  const out: { name: string; classification: string }[] = [];
  for (const item of items(s)) {
    const m = /^(.+?)\s*[:：]\s*(.+)$/.exec(item);
    if (!m) return null;
    out.push({ name: m[1]!.trim(), classification: m[2]!.trim() });
  }
  return out.length ? out : null;
}

// What a question is about, before retrieval: its language, the role it speaks for, and any control IDs in it.
import { idsInText } from '../catalog/ids.js';
import { detectLang, normalise, type Lang } from './text.js';

export type QueryRole = 'customer' | 'provider';

// Phrases that say who "we" are win over bare nouns: "we offer backups to our customers" is the provider.
const strong = {
  customer: [/クラウド(サービス)?を利用/, /利用する側/, /利用側/, /we (use|are using|run|rely on|consume|subscribe)/, /as a (cloud )?(service )?customer/, /our (cloud )?(provider|vendor)s?/],
  provider: [/サービスを提供/, /提供する側/, /提供側/, /we (offer|provide|host|operate|sell)/, /as a (cloud )?(service )?provider/, /our (customers|tenants|users)/],
};
const weak = {
  customer: [/利用者/, /カスタマ/, /顧客企業/, /ユーザー?企業/, /委託元/, /customers?/, /csc/, /tenants?/],
  provider: [/事業者/, /プロバイダ/, /提供者/, /ベンダー?/, /受託/, /providers?/, /csp/, /vendors?/],
};

function side(t: string, rules: { customer: RegExp[]; provider: RegExp[] }): QueryRole | null | undefined {
  const c = rules.customer.some((r) => r.test(t));
  const p = rules.provider.some((r) => r.test(t));
  if (c && p) return null;
  return c ? 'customer' : p ? 'provider' : undefined;
}

/** The role a question speaks for, or null when it names neither or both. */
export function detectRole(text: string): QueryRole | null {
  const t = normalise(text);
  const s = side(t, strong);
  if (s !== undefined) return s;
  return side(t, weak) ?? null;
}

export interface QueryInfo {
  lang: Lang;
  role: QueryRole | null;
  ids: string[];
}

export function analyseQuery(text: string): QueryInfo {
  return { lang: detectLang(text), role: detectRole(text), ids: idsInText(text) };
}

// What a question is about, before retrieval: its language, the role it speaks for, and any control IDs in it.
import { idsInText } from '../catalog/ids.js';
import { detectLang, normalise, type Lang } from './text.js';

export type QueryRole = 'customer' | 'provider';

// Phrases that say who "we" are win over bare nouns: "we offer backups to our customers" is the provider.
const strong = {
  customer: [/クラウド(サービス)?を利用/, /利用する側/, /利用側/, /\bwe (use|are using|run|rely on|consume|subscribe)\b/, /\bas a (cloud )?(service )?customer\b/, /\bour (cloud )?(provider|vendor)s?\b/,
    /(を|も|は)(利用|使用)(して|中|する|しています)/, /使って(いる|る|います|ない|いない)/, /\bwe('re| are) (moving|migrating) to\b/,
    // Asking something of the vendor: "SaaSベンダーにログを出してもらいたい", "ask our provider for its SOC 2 report".
    /(ベンダー?|プロバイダ|事業者|クラウド事業者)(に|へ|から).{0,30}(もらい|ほしい|欲しい|求め|依頼|要求|提出|開示)/,
    /\b(ask|require|request|get|demand)\b.{0,20}\b(the|our|a|their) (saas |cloud )?(vendor|provider|csp)s?\b/],
  provider: [/サービスを提供/, /提供する側/, /提供側/, /提供して(いる|います)/, /\bwe (offer|provide|host|operate|sell)\b/, /\bas a (cloud )?(service )?provider\b/, /\bour (customers|tenants|users)\b/,
    /\bour (multi-?tenant )?(saas|paas|iaas|service|platform|product|app|api)\b/, /(うち|当社|自社|弊社)の\s?(マルチテナント)?(saas|paas|iaas|サービス|プロダクト|製品|アプリ|api|プラットフォーム)/,
    /\bcustomers? (want|wants|ask|asks|keep asking|request|requests)\b/, /顧客(から|が)/],
};
const weak = {
  customer: [/利用者/, /カスタマ/, /顧客企業/, /ユーザー?企業/, /委託元/, /\bcustomers?\b/, /\bcsc\b/, /\btenants?\b/],
  provider: [/事業者/, /プロバイダ/, /提供者/, /ベンダー?/, /受託/, /\bproviders?\b/, /\bcsp\b/, /\bvendors?\b/],
};

function side(t: string, rules: { customer: RegExp[]; provider: RegExp[] }): QueryRole | null | undefined {
  const c = rules.customer.some((r) => r.test(t));
  const p = rules.provider.some((r) => r.test(t));
  if (c && p) return null;
  return c ? 'customer' : p ? 'provider' : undefined;
}

// Questions about the split itself ("us or the vendor?", "どちらが行う？") are about both roles.
const split = [/\b(us|we) or (the )?(cloud )?(vendor|provider|csp)/, /\b(us|we|ourselves) or\b/, /\bor (us|we)\b/, /\bwho (is responsible|owns|takes|does|handles)\b/, /どちら/, /誰が/, /誰の/, /責任分担/, /責任共有/, /shared responsibilit/];

/** Whether the question asks how duties split between customer and provider. */
export function asksForSplit(text: string): boolean {
  const t = normalise(text);
  return split.some((r) => r.test(t));
}

/** Which strong signals a question gives: we use (customer), we offer (provider), either, or both. */
export function roleSignals(text: string): { customer: boolean; provider: boolean } {
  const t = normalise(text);
  return { customer: strong.customer.some((r) => r.test(t)), provider: strong.provider.some((r) => r.test(t)) };
}

/** The role a question speaks for, or null when it names neither or both. */
export function detectRole(text: string): QueryRole | null {
  if (asksForSplit(text)) return null;
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

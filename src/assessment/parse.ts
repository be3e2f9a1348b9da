// Reading what participants type, in English or Japanese: yes/no, roles, models, products, assets, picks, and the
// changes to a suggested analysis ("4x5 owner bob retain +12.3.1").
import type { Product } from '../catalog/schema.js';
import { productsIn } from '../search/products.js';
import type { Model, ScopeRole, Treatment } from './types.js';

export const norm = (s: string) => s.normalize('NFKC').trim().toLowerCase();

const okWords = /^(ok|okay|yes|y|sure|fine|accept|agreed|next|done|go|はい|うん|了解|承知|それで|それでok|それでいい|いいです|大丈夫|次へ|次|完了|ok です|okです|問題なし)[.!。！]?$/;
export const isOk = (s: string) => okWords.test(norm(s));
export const isYes = (s: string) => /^(yes|y|はい|ええ|うん|そう|そうです)[.!。！]?$/.test(norm(s));
export const isNo = (s: string) =>
  /^(no|n|nope|none|not really|いいえ|いや|なし|無し|ない|ありません|していない|いない|no,? (it|we) (doesn't|don't|does not|do not).*|on[- ]?prem(ises)?|our own (servers|data ?cent(re|er))|自社(サーバ|運用|設備)?|オンプレ(ミス)?)[.!。！]?$/.test(norm(s));
export const isCancel = (s: string) => /^(cancel|stop|abort|キャンセル|中止|取消|取り消し|やめる)$/.test(norm(s));
export const isMore = (s: string) => /^(more|show more|the rest|others|other risks|all( risks)?|list all|他のリスク|ほかのリスク|他|ほか|その他|もっと|続き|残り|全部|すべて|全て)$/.test(norm(s));
export const isBack = (s: string) => /^(back|previous|戻る|前へ|ひとつ前)$/.test(norm(s));
export const isAllOk = (s: string) => /^(ok all|all ok|accept all|ok to all|ok for the rest|すべてok|全部ok|全てok|残りもok|残りすべてok|すべて承認|全部それで)$/.test(norm(s).replace(/\s+/g, ' '));
export const isDetails = (s: string) => /^(details|detail|show details|詳細|詳しく|明細)$/.test(norm(s));
export const isSubmit = (s: string) => /^(submit|send|send for approval|提出|申請|承認依頼)$/.test(norm(s));
export const isApprove = (s: string) => /^(approve|approved|承認|承認する)$/.test(norm(s));
const dontKnow = /(don'?t know|not sure|no idea|unknown|わから|分から|不明|知らない)/i;

export function role(s: string): ScopeRole | undefined {
  const t = norm(s);
  if (/^[1-3]$/.test(t)) return (['customer', 'provider', 'both'] as const)[Number(t) - 1];
  const both = /\b(both)\b|両方|双方|どちらも/.test(t);
  const customer = /\b(customer|csc|user|we use|use it|consumer)\b|カスタマ|利用者|利用|使って|使う|顧客として/.test(t);
  const provider = /\b(provider|csp|we provide|we offer|we run it|offer it|provide it|our (own )?(saas|service|product))\b|プロバイダ|事業者|提供|自社サービス|自社製品/.test(t);
  if (both || (customer && provider)) return 'both';
  if (provider) return 'provider';
  if (customer) return 'customer';
  return undefined;
}

export function model(s: string, products: Product[] = []): Model | undefined {
  const t = norm(s);
  if (/^[1-3]$/.test(t)) return (['IaaS', 'PaaS', 'SaaS'] as const)[Number(t) - 1];
  const m = /(?<![a-z])(iaas|paas|saas)(?![a-z])/.exec(t) ?? /(イアース|パース|サース)/.exec(t);
  if (m) return ({ iaas: 'IaaS', paas: 'PaaS', saas: 'SaaS', イアース: 'IaaS', パース: 'PaaS', サース: 'SaaS' } as Record<string, Model>)[m[1] ?? ''];
  // "like Salesforce" names a product whose model is known.
  return productsIn(s, products)[0]?.model;
}

/** The cloud services a text names ("AWS", "EC2 and RDS", "yes, Azure"): the products, or a plain name when none is known. */
export function platform(s: string, products: Product[]): { names: string[]; products: Product[] } | 'no' | 'yes' | 'unknown' | undefined {
  const t = s.normalize('NFKC').trim();
  if (isNo(t)) return 'no';
  if (isYes(t)) return 'yes';
  if (dontKnow.test(t)) return 'unknown';
  const rest = t.replace(/^(yes|y|はい|ええ|うん)[\s,、:：]+/i, '').replace(/^(it )?runs? on\s+|^on\s+/i, '').replace(/(上で|で)?(稼働|動いて|動作)(しています|している|してる|です)?[。.]?$/, '').replace(/^(we use|using)\s+/i, '').trim();
  const found = productsIn(rest, products);
  if (found.length) return { names: [...new Set(found.map((p) => p.name))], products: found };
  // A short name the product list does not know ("Sakura Cloud") is taken as it is.
  if (rest && rest.length <= 40 && !/[?？]/.test(rest) && rest.split(/\s+/).length <= 4) return { names: items(rest).slice(0, 5), products: [] };
  return undefined;
}

export function treatment(s: string): Treatment | undefined {
  const t = norm(s);
  if (/^(modify|reduce|mitigate|treat|低減|軽減|修正)$/.test(t)) return 'modify';
  if (/^(retain|accept it|accept the risk|keep|保有|受容)$/.test(t)) return 'retain';
  if (/^(avoid|回避)$/.test(t)) return 'avoid';
  if (/^(share|transfer|insure|移転|共有)$/.test(t)) return 'share';
  return undefined;
}

/** "CI", "C, A", "機密性 可用性" → "CI" / "CA"; undefined when anything else is typed. */
export function cia(s: string): string | undefined {
  const t = s.normalize('NFKC').toUpperCase().replace(/機密性?/g, 'C').replace(/完全性/g, 'I').replace(/可用性/g, 'A').replace(/[\s,、/・]+/g, '');
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

/** Comma, 、, ; or newline separated items. */
export function items(s: string): string[] {
  return s.normalize('NFKC').split(/[,、;；\n]+|\s+and\s+|と(?=[A-Za-z])/).map((x) => x.trim()).filter(Boolean);
}

/** "customer records: confidential, invoices (internal)" → assets; the names without a classification are listed. */
export function assets(s: string): { assets: { name: string; classification: string }[]; missing: string[] } {
  const out: { name: string; classification: string }[] = [];
  const missing: string[] = [];
  for (const item of s.normalize('NFKC').split(/[,、;；\n]+/).map((x) => x.trim()).filter(Boolean)) {
    const m = /^(.+?)\s*[:：=]\s*(.+)$/.exec(item) ?? /^(.+?)\s*[(（]\s*(.+?)\s*[)）]$/.exec(item) ?? /^(.+?)\s+[-–—]\s+(.+)$/.exec(item);
    if (m?.[1] && m[2]) out.push({ name: m[1].trim(), classification: m[2].trim() });
    else missing.push(item);
  }
  return { assets: out, missing };
}

/** How sensitive a classification is: 0 public, 1 internal, 2 confidential, 3 strictly confidential. */
export function classificationLevel(c: string): number {
  const t = norm(c);
  if (/strict|highly|secret|top|restricted|極秘|厳秘|最高|機密性3|レベル3/.test(t)) return 3;
  if (/confidential|sensitive|private|機密|秘密|関係者外秘|取扱注意|重要/.test(t)) return 2;
  if (/public|open|公開/.test(t)) return 0;
  return 1;
}

/** Risk picks: "1,3,5", "1-4", "1〜4", "RL-14", "top 5", "上位5". Returns positions (1-based) and IDs, or the item not understood. */
export function picks(s: string): { positions: number[]; ids: string[] } | { bad: string } {
  const positions: number[] = [];
  const ids: string[] = [];
  const top = /^(?:top|上位)\s*(\d+)$/i.exec(norm(s));
  if (top) return { positions: Array.from({ length: Number(top[1]) }, (_, i) => i + 1), ids };
  for (const item of s.normalize('NFKC').split(/[,、\s]+/).map((x) => x.trim()).filter(Boolean)) {
    const range = /^(\d+)\s*[-~〜～]\s*(\d+)$/.exec(item);
    if (range) {
      const [a, b] = [Number(range[1]), Number(range[2])].sort((x, y) => x - y) as [number, number];
      for (let n = a; n <= b && n - a < 100; n++) positions.push(n);
    } else if (/^\d+$/.test(item)) positions.push(Number(item));
    else if (/^rl-?\d{1,2}$/i.test(item)) ids.push(`RL-${item.replace(/^rl-?/i, '').padStart(2, '0')}`);
    else return { bad: item };
  }
  return { positions, ids };
}

/** The changes a participant makes to a suggested analysis, in any order, in one message. */
export interface RiskAnswer {
  ok: boolean;
  allOk: boolean;
  cia?: string;
  likelihood?: number;
  impact?: number;
  owner?: string;
  treatment?: Treatment;
  add: string[];
  remove: string[];
  /** Words that were not understood, in the order typed. */
  rest: string[];
  /** A lone number: likelihood or impact? */
  loneNumber?: number;
}

const L = '(?:likelihood|probability|l|起こりやすさ|発生可能性|可能性|発生頻度)';
const I = '(?:impact|i|影響度?|影響の大きさ)';

export function riskAnswer(raw: string): RiskAnswer {
  let t = raw.normalize('NFKC').trim();
  const out: RiskAnswer = { ok: false, allOk: false, add: [], remove: [], rest: [] };
  const take = (re: RegExp, f: (m: RegExpExecArray) => void) => {
    const m = re.exec(t);
    if (m) {
      f(m);
      t = (t.slice(0, m.index) + ' ' + t.slice(m.index + m[0].length)).trim();
    }
  };
  if (isAllOk(t)) return { ...out, ok: true, allOk: true };
  take(/(?:^|\s)([1-5])\s*[x×*✕]\s*([1-5])(?=\s|$|[,、])/i, (m) => { out.likelihood = Number(m[1]); out.impact = Number(m[2]); });
  take(new RegExp(`(?:^|\\s|[,、])${L}\\s*[:=：は]?\\s*([1-5])(?![0-9])`, 'i'), (m) => { out.likelihood = Number(m[1]); });
  take(new RegExp(`(?:^|\\s|[,、])${I}\\s*[:=：は]?\\s*([1-5])(?![0-9])`, 'i'), (m) => { out.impact = Number(m[1]); });
  take(/(?:^|\s|[,、])(?:owner|所有者|リスク所有者|担当者?|オーナー)\s*[:=：は]?\s*(<@[UW][A-Z0-9]+(?:\|[^>]*)?>|@?[^\s,、]+)/i, (m) => { out.owner = owner(m[1] ?? ''); });
  take(/<@[UW][A-Z0-9]+(?:\|[^>]*)?>/, (m) => { out.owner = owner(m[0]); });
  take(/(?:^|\s|[,、])(?:cia|特性)\s*[:=：は]?\s*([CIAcia・,、]+|(?:機密性|完全性|可用性)+)/i, (m) => { out.cia = cia(m[1] ?? ''); });
  for (const word of t.split(/[\s,、]+/).filter(Boolean)) {
    const [, sign, id] = /^([+-])\s*(.+)$/.exec(word) ?? [];
    if (sign && id && /\d/.test(id)) (sign === '+' ? out.add : out.remove).push(id);
    else if (isOk(word) || /^(ok|okay)$/i.test(word)) out.ok = true;
    else if (treatment(word)) out.treatment = treatment(word);
    else if (/^[CIA]{1,3}$/.test(word) || /^(機密性|完全性|可用性)+$/.test(word)) out.cia = cia(word);
    else if (/^@\S+$/.test(word)) out.owner = owner(word);
    else if (/^[1-5]$/.test(word)) {
      if (out.loneNumber === undefined) out.loneNumber = Number(word);
      else if (out.likelihood === undefined && out.impact === undefined) {
        out.likelihood = out.loneNumber;
        out.impact = Number(word);
        out.loneNumber = undefined;
      } else out.rest.push(word);
    } else out.rest.push(word);
  }
  return out;
}

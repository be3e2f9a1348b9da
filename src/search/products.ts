// Cloud products named in a question ("EC2", "M365 を利用"): their service model, and who "we" are.
import type { Product } from '../catalog/schema.js';
import { normalise } from './text.js';

export type ServiceModel = Product['model'];

/** The products a text names, in order of first mention. ASCII aliases match whole words; Japanese ones as substrings. */
export function productsIn(text: string, products: Product[]): Product[] {
  const t = normalise(text);
  const found: { p: Product; at: number }[] = [];
  for (const p of products) {
    let at = -1;
    for (const a of p.aliases) {
      const alias = normalise(a);
      const i = /^[\x20-\x7e]+$/.test(alias) ? searchWord(t, alias) : t.indexOf(alias);
      if (i >= 0 && (at < 0 || i < at)) at = i;
    }
    if (at >= 0) found.push({ p, at });
  }
  // A longer alias at the same place wins ("google drive" over "drive"): drop products whose match sits inside another's.
  return found.sort((a, b) => a.at - b.at).map((x) => x.p);
}

function searchWord(text: string, word: string): number {
  const re = new RegExp(`(?<![a-z0-9])${word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![a-z0-9])`);
  return re.exec(text)?.index ?? -1;
}

/** A service model named in words: "our SaaS", "IaaS", "PaaS". */
export function modelNamed(text: string): ServiceModel | null {
  const m = /\b(iaas|paas|saas)\b/i.exec(normalise(text));
  return m ? (m[1]!.replace(/^./, (c) => c.toUpperCase()).replace(/aas$/, 'aaS') as ServiceModel) : null;
}

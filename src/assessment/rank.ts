// Ranks the library risks by their fit with the service in scope, each with a one-line reason:
// "runs on AWS → a failure or breach at the underlying provider …" (RL-14).
import type { Catalog } from '../catalog/catalog.js';
import type { Product, RiskScenario } from '../catalog/schema.js';
import type { Lang } from '../search/text.js';
import { productsIn } from '../search/products.js';
import type { RiskFit } from './library.js';
import { classificationLevel, norm } from './parse.js';
import type { AssessmentState, Model } from './types.js';

/** One way the organisation stands towards a cloud: the provider of the service, or a customer of it or of its platform. */
export interface Hat {
  role: 'customer' | 'provider';
  model?: Model;
  /** For the customer of the platform the service runs on: its name. */
  platform?: string;
}

export interface Ranked {
  id: string;
  score: number;
  reason: Record<Lang, string>;
}

/** How many proposals are shown before "more". */
export const TOP = 8;
const modelOrder: Model[] = ['IaaS', 'PaaS', 'SaaS'];

/** The products named for the platform, and its model: the most basic one named (EC2 and RDS → IaaS). */
export function platformOf(runsOn: string | null | undefined, products: Product[]): { name: string; model?: Model; products: Product[] } | null {
  if (!runsOn) return null;
  const found = productsIn(runsOn, products);
  const model = found.map((p) => p.model).sort((a, b) => modelOrder.indexOf(a) - modelOrder.indexOf(b))[0];
  return { name: runsOn, model, products: found };
}

export function hatsOf(scope: AssessmentState['scope'], products: Product[]): Hat[] {
  const platform = platformOf(scope.runsOn, products);
  if (platform) return [{ role: 'provider', model: scope.model }, { role: 'customer', model: platform.model, platform: platform.name }];
  const roles = scope.role === 'both' ? (['provider', 'customer'] as const) : scope.role ? [scope.role] : (['provider', 'customer'] as const);
  return roles.map((role) => ({ role, model: scope.model }));
}

const fits = (r: RiskScenario, h: Hat) => r.roles.includes(h.role) && (!h.model || r.serviceModels.includes(h.model));

interface Factor { weight: number; en: string; ja: string }

/** Every library risk that fits one of the hats, best first; ties keep the library order. */
export function rankRisks(state: AssessmentState, catalog: Catalog, fit: Map<string, RiskFit>): Ranked[] {
  const s = state.scope;
  const hats = hatsOf(s, catalog.products);
  const named = new Set(productsIn([s.runsOn ?? '', s.service ?? '', ...s.assets.map((a) => a.name)].join(', '), catalog.products).map((p) => p.name));
  const top = [...s.assets].sort((a, b) => classificationLevel(b.classification) - classificationLevel(a.classification))[0];
  const level = top ? classificationLevel(top.classification) : 1;
  const assetText = norm(s.assets.map((a) => a.name).join(' '));
  const out: (Ranked & { order: number })[] = [];
  catalog.risks.forEach((r, order) => {
    const f = fit.get(r.id);
    const worn = hats.filter((h) => fits(r, h));
    const provider = worn.find((h) => h.role === 'provider');
    const customer = worn.find((h) => h.role === 'customer');
    const hat = provider ?? customer;
    if (!f || !hat) return;
    const factors: Factor[] = [];
    if (f.tags.includes('platform') && customer?.platform) factors.push({ weight: 3, en: `runs on ${customer.platform}`, ja: `${customer.platform} 上で稼働` });
    else if (f.tags.includes('platform') && customer) factors.push({ weight: 2, en: `you use ${s.service}`, ja: `${s.service} を利用` });
    if (f.tags.includes('multiTenant') && provider) {
      factors.push({ weight: 3, en: `${provider.model ?? 'cloud'} provider: many customers share one system`, ja: `${provider.model ?? 'クラウド'}の提供者: 多くの顧客が一つのシステムを共有` });
    }
    const product = f.products.find((p) => named.has(p));
    if (product) factors.push({ weight: 3.5, en: `uses ${product}`, ja: `${product} を利用` });
    const word = f.words.find((w) => assetText.includes(norm(w)));
    const asset = word && s.assets.find((a) => norm(a.name).includes(norm(word)));
    if (asset) factors.push({ weight: 1.5, en: `asset: ${asset.name}`, ja: `資産: ${asset.name}` });
    if (r.cia.confidentiality && top && level >= 2) {
      factors.push({ weight: level >= 3 ? 2 : 1.5, en: `${top.name} is ${top.classification}`, ja: `${top.name}は${top.classification}` });
    }
    const penalty = r.cia.confidentiality && !r.cia.integrity && !r.cia.availability && s.assets.length && level <= 0 ? 1.5 : 0;
    // The strongest factor counts in full and the others half, so one risk that touches everything does not lead alone.
    const [best, ...others] = [...factors].sort((a, b) => b.weight - a.weight);
    const score = f.prior + (provider ? 1 : 0) + (customer ? 0.5 : 0) + (best?.weight ?? 0) + others.reduce((n, x) => n + x.weight / 2, 0) - penalty;
    const why = best ?? {
      en: `fits a ${hat.model ?? 'cloud'} ${hat.role}`,
      ja: `${hat.model ?? 'クラウド'}の${hat.role === 'provider' ? 'プロバイダ' : 'カスタマ'}に当てはまる`,
    };
    out.push({ id: r.id, score, order, reason: { en: `${why.en} → ${f.because.en}`, ja: `${why.ja} → ${f.because.ja}` } });
  });
  return out.sort((a, b) => b.score - a.score || a.order - b.order).map(({ order: _, ...r }) => r);
}

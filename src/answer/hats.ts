// Who is asking, in which service model: "EC2" is a customer of IaaS, "our SaaS" a provider, and "our SaaS on AWS"
// wears both hats (provider of the SaaS, customer of the IaaS underneath).
import type { Product } from '../catalog/schema.js';
import { modelNamed, productsIn, type ServiceModel } from '../search/products.js';
import { asksForSplit, detectRole, roleSignals } from '../search/query.js';
import type { AnswerRole } from './extractive.js';

export interface Hats {
  role: AnswerRole | null;
  /** The model the role works in: the customer's product model, or the provider's service model. */
  model: ServiceModel | null;
  /** For both hats: the provider's own service model, and the platform it runs on (a customer of it). */
  both?: { service: ServiceModel; platform: Product };
  products: Product[];
}

const onPlatform = /\b(on|runs on|hosted on|built on|running on)\b|上で|上に|上の|で運用|で動/i;

export function detectHats(question: string, products: Product[]): Hats {
  const named = productsIn(question, products);
  const model = modelNamed(question);
  const s = roleSignals(question);
  const platform = named.find((p) => p.model !== 'SaaS');
  // A provider whose service runs on a named IaaS or PaaS: both roles are in scope (JIP-ISMS517 4.1).
  if (s.provider && platform && (onPlatform.test(question) || model === 'SaaS')) {
    return { role: 'both', model: platform.model, both: { service: model ?? 'SaaS', platform }, products: named };
  }
  if (s.provider && !s.customer) return { role: 'provider', model: model ?? null, products: named };
  if (asksForSplit(question)) return { role: 'both', model: named[0]?.model ?? model, products: named };
  if (named.length && !s.provider) return { role: 'customer', model: named[0]!.model, products: named };
  return { role: detectRole(question), model, products: named };
}

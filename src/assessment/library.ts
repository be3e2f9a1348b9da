// How each library risk fits a service (corpus/risk-fit.json, in our own words): typical likelihood and impact, a
// prior for how often it matters in practice, tags (platform: the service runs on another cloud; multiTenant: the
// organisation serves many customers from one system), products and asset words that raise it, and a short "because".
import type { Catalog } from '../catalog/catalog.js';
import type { RiskFit } from '../catalog/schema.js';

export type { RiskFit };

const cache = new WeakMap<Catalog, Map<string, RiskFit>>();

/** The library risks' fit data by risk ID (corpus/risk-fit.json, checked with the rest of the corpus). */
export function loadRiskFit(catalog: Catalog): Map<string, RiskFit> {
  let byId = cache.get(catalog);
  if (!byId) cache.set(catalog, (byId = new Map(catalog.riskFit.map((f) => [f.id, f]))));
  return byId;
}

// How each library risk fits a service (corpus/risk-fit.json, in our own words): typical likelihood and impact, a
// prior for how often it matters in practice, tags (platform: the service runs on another cloud; multiTenant: the
// organisation serves many customers from one system), products and asset words that raise it, and a short "because".
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { Catalog } from '../catalog/catalog.js';
import { CorpusError, defaultCorpusDir } from '../catalog/loader.js';

const text = z.object({ en: z.string().trim().min(1), ja: z.string().trim().min(1) }).strict();
const score = z.number().int().min(1).max(5);
const fitFile = z.array(z.object({
  id: z.string().regex(/^RL-\d{2}$/, 'an ID like RL-14'),
  likelihood: score,
  impact: score,
  prior: z.number().min(0).max(3),
  tags: z.array(z.enum(['platform', 'multiTenant'])),
  products: z.array(z.string().min(1)),
  words: z.array(z.string().min(1)),
  because: text,
}).strict());
export type RiskFit = z.infer<typeof fitFile>[number];

const cache = new Map<string, Map<string, RiskFit>>();

/** corpus/risk-fit.json, checked: one entry for every library risk and no other, products from corpus/products.json. */
export function loadRiskFit(catalog: Catalog, dir = defaultCorpusDir): Map<string, RiskFit> {
  const cached = cache.get(dir + catalog.contentHash);
  if (cached) return cached;
  const rel = 'risk-fit.json';
  const file = join(dir, rel);
  if (!existsSync(file)) throw new CorpusError([{ file: rel, path: '', reason: 'file is missing: the risk fit data is part of the corpus' }]);
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new CorpusError([{ file: rel, path: '', reason: `not valid JSON: ${(e as Error).message}` }]);
  }
  const parsed = fitFile.safeParse(data);
  if (!parsed.success) throw new CorpusError(parsed.error.issues.map((i) => ({ file: rel, path: i.path.join('.'), reason: i.message })));
  const problems: { file: string; path: string; reason: string }[] = [];
  const byId = new Map<string, RiskFit>();
  const productNames = new Set(catalog.products.map((p) => p.name));
  parsed.data.forEach((f, n) => {
    if (byId.has(f.id)) problems.push({ file: rel, path: `[${n}].id`, reason: `duplicate ID ${f.id}` });
    if (!catalog.risks.some((r) => r.id === f.id)) problems.push({ file: rel, path: `[${n}].id`, reason: `${f.id} is not in risks.json` });
    for (const p of f.products) if (!productNames.has(p)) problems.push({ file: rel, path: `${f.id}.products`, reason: `"${p}" is not a product in products.json` });
    byId.set(f.id, f);
  });
  for (const r of catalog.risks) if (!byId.has(r.id)) problems.push({ file: rel, path: '', reason: `${r.id} has no entry` });
  if (problems.length) throw new CorpusError(problems);
  cache.set(dir + catalog.contentHash, byId);
  return byId;
}

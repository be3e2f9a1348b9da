// The first sentence of an answer: who does what for the leading control, from the responsibility matrix.
import type { Catalog } from '../catalog/catalog.js';
import type { ResponsibilityRow } from '../catalog/schema.js';
import type { Lang } from '../search/text.js';
import type { AnswerRole } from './extractive.js';
import type { Hats } from './hats.js';
import { T } from './text.js';

const models = ['IaaS', 'PaaS', 'SaaS'] as const;
const actorWord = {
  en: { customer: 'customer', provider: 'provider', shared: 'shared' },
  ja: { customer: 'カスタマ', provider: 'プロバイダ', shared: '分担' },
} as const;

/**
 * The direct answer for a control: in a known model, the asker's sentence first and then the other side's; for both
 * hats (a SaaS on IaaS), one sentence per hat; with no model known, who acts in each model.
 */
export function directAnswer(catalog: Catalog, controlId: string, role: AnswerRole, hats: Hats, lang: Lang): string | null {
  const row = catalog.responsibility(controlId);
  if (!row) return null;
  if (hats.both) {
    const { service, platform } = hats.both;
    const asProvider = row.models[service].provider[lang];
    const asCustomer = row.models[platform.model].customer[lang];
    return T[lang].twoHats(service, asProvider, platform.name, platform.model, asCustomer);
  }
  if (hats.model) {
    const cell = row.models[hats.model];
    const first = role === 'provider' ? 'provider' : 'customer';
    const other = first === 'customer' ? 'provider' : 'customer';
    const where = hats.products[0] && hats.products[0].model === hats.model ? `${hats.model} (${hats.products[0].name})` : hats.model;
    return T[lang].inModel(where, cell[first][lang], cell[other][lang]);
  }
  return whoActs(row, lang);
}

/** "Who acts — IaaS: customer · PaaS: shared · SaaS: provider." */
export function whoActs(row: ResponsibilityRow, lang: Lang): string {
  const parts = models.map((m) => `${m}: ${actorWord[lang][row.models[m].actor]}`);
  return T[lang].whoActs(parts);
}

// Renders docs/digest-chart.png: a store seeded week by week (decisions, risks, an internal audit), one readiness
// snapshot per week as the scheduled digest takes it, and the trend chart over those snapshots.
// Usage: npx tsx scripts/render-sample-chart.ts [out.png]
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCatalog } from '../src/catalog/loader.js';
import { renderTrendChart } from '../src/digest/chart.js';
import { DigestLog } from '../src/digest/log.js';
import { readinessMetrics } from '../src/digest/metrics.js';
import { Store } from '../src/soa/index.js';

// Usage with a language: npx tsx scripts/render-sample-chart.ts docs/digest-chart-ja.png ja
const out = process.argv[2] ?? 'docs/digest-chart.png';
const lang = process.argv[3] === 'ja' ? 'ja' : 'en';
const dir = mkdtempSync(join(tmpdir(), 'isms-chart-'));
const week = 7 * 86_400_000;
const start = Date.parse('2026-09-07T00:00:00Z'); // Monday 09:00 in Tokyo
let clock = start;
// The sample's decisions name 2013 controls (11.1.1, ...): a 2013-edition SoA.
const store = new Store(join(dir, 'isms.sqlite'), { catalog: loadCatalog(), approvers: ['carol'], now: () => new Date(clock), defaultEdition: '2013' });
const log = new DigestLog(store);
const ids = (await store.soaRows()).filter((r) => r.relevant).map((r) => r.entry.id);

try {
  await store.profile.set({ scope: 'PayCloud (payroll SaaS) on AWS', services: [{ name: 'PayCloud', role: 'provider', model: 'SaaS', runsOn: 'AWS' }], by: 'carol' });
  const risk = await store.risks.add({ title: 'Tenant data exposed by misconfiguration', owner: 'bob', likelihood: 4, impact: 5, cia: 'C', nextReview: '2026-10-01', by: 'carol' });
  await store.risks.add({ title: 'Backups not restorable', owner: 'dave', likelihood: 3, impact: 4, cia: 'IA', treatment: 'modify', controls: ['12.3.1'], status: 'treating', nextReview: '2027-03-01', by: 'carol' });
  // Twelve weekly digests: each week more decisions are approved, and some weeks close other gaps.
  const perWeek = [6, 10, 8, 12, 9, 3, 11, 10, 14, 9, 12, 8];
  let next = 0;
  for (const [w, n] of perWeek.entries()) {
    clock = start + w * week - 3 * 86_400_000; // the work happens during the week before the digest
    for (const id of ids.slice(next, next + n)) {
      const implemented = next % 3 !== 2;
      await store.soa.set({ control: id, applicable: true, status: implemented ? 'implemented' : 'planned', reasons: [`risk:${risk.id}`], by: 'carol' });
      next++;
    }
    if (w === 3) await store.risks.update(risk.id, { treatment: 'modify', controls: ['CLD.9.5.1'], status: 'treating', nextReview: '2027-01-15', by: 'carol' });
    if (w === 5) await store.internalAudits.record({ date: '2026-10-09', auditor: 'external: Audit Partners KK', scope: 'PayCloud ISMS', result: '2 minor findings', by: 'carol' });
    if (w === 8) await store.soa.set({ control: '11.1.1', applicable: false, status: 'not-implemented', justification: 'n/a', by: 'carol' });
    if (w === 10) await store.soa.set({ control: '11.1.1', applicable: false, status: 'not-implemented', justification: 'SaaS only: no premises of our own; physical security is AWS (SOC 2 report)', by: 'carol' });
    clock = start + w * week;
    const m = await readinessMetrics(store, { now: new Date(clock), timezone: 'Asia/Tokyo' });
    await log.addSnapshot(m, new Date(clock));
  }
  const weekly = (await log.weekly()).map((s) => ({ week: s.week, score: s.score }));
  writeFileSync(out, await renderTrendChart(weekly, { lang }));
  process.stdout.write(`wrote ${out}: ${weekly.map((p) => `${p.week}=${p.score}`).join(' ')}\n`);
} finally {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}

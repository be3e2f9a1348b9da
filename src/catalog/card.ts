// A readable text card for one catalogue entry, in one language.
import type { CatalogEntry, Lang } from './catalog.js';

const L = {
  en: {
    clause: 'Clause', purpose: 'Purpose', control: 'Control (summary)', demands: 'What it demands', items: 'Items',
    evidence: 'Evidence an auditor asks for', related: 'Related controls', customer: 'Cloud service customer',
    provider: 'Cloud service provider', note: 'Note', keywords: 'Keywords', map2022: 'ISO/IEC 27001:2022',
    ext: 'ISO/IEC 27017 cloud guidance', none: 'none (27002 applies as is)', cldRel: 'Seed comparison table',
    yes: 'yes', no: 'no', jis: 'JIS Q 27001',
    theme: 'Theme', attrs: 'ISO/IEC 27002:2022 attributes', from2013: 'From ISO/IEC 27002:2013', isNew: 'new in 2022 (no 2013 control)',
    cloud: 'ISO/IEC 27017 cloud items that bear on it', noCloud: 'none', summary: 'Control (summary)',
  },
  ja: {
    clause: '箇条', purpose: '目的', control: '管理策（要約）', demands: '要求事項の要点', items: '項目',
    evidence: '審査で求められる証跡', related: '関連する管理策', customer: 'クラウドサービスカスタマ',
    provider: 'クラウドサービスプロバイダ', note: '注記', keywords: 'キーワード', map2022: 'ISO/IEC 27001:2022',
    ext: 'ISO/IEC 27017 のクラウド固有の実施の手引', none: 'なし（27002 をそのまま適用）', cldRel: '対比表（説明資料）',
    yes: 'あり', no: 'なし', jis: 'JIS Q 27001',
    theme: 'テーマ', attrs: 'ISO/IEC 27002:2022 の属性', from2013: '2013 年版の対応管理策', isNew: '2022 年版の新規管理策（2013 年版に対応なし）',
    cloud: '関係する ISO/IEC 27017 のクラウド項目', noCloud: 'なし', summary: '管理策（要約）',
  },
} as const;

function wrap(text: string, indent = '  ', width = 88): string {
  // Japanese has no spaces: wrap by characters there, by words otherwise.
  if (/[\u3040-\u30ff\u4e00-\u9fff]/.test(text)) {
    const lines: string[] = [];
    for (let i = 0; i < text.length; i += 44) lines.push(indent + text.slice(i, i + 44));
    return lines.join('\n');
  }
  const lines: string[] = [];
  let line = '';
  for (const w of text.split(/\s+/)) {
    if ((line + ' ' + w).length > width - indent.length && line) {
      lines.push(indent + line);
      line = w;
    } else line = line ? `${line} ${w}` : w;
  }
  if (line) lines.push(indent + line);
  return lines.join('\n');
}

export function renderCard(e: CatalogEntry, lang: Lang): string {
  const t = L[lang];
  const other: Lang = lang === 'ja' ? 'en' : 'ja';
  const out: string[] = [`${e.id}  ${e.title[lang]}  (${e.title[other]})`];
  if (e.clause && e.category) out.push(`${t.clause} ${e.clause.id} ${e.clause.title[lang]} › ${e.category.id} ${e.category.title[lang]}`);
  if (e.kind === 'annex2022') {
    const a = e.annex2022!;
    const attrs = Object.entries(a.attributes).map(([k, v]) => `${k}: ${v.join(', ')}`).join(' · ');
    out.push(`ISO/IEC 27001:2022 Annex A ${e.id} · ${t.theme}: ${e.clause!.title[lang]}`);
    out.push(`${t.from2013}: ${a.isNew ? t.isNew : a.from2013.join(', ')}`);
    out.push(`${t.cloud}: ${a.cloud.join(', ') || t.noCloud}`);
    out.push('', t.summary, wrap(e.summary[lang]), '', `${t.attrs}:`, wrap(attrs));
  } else if (e.kind === 'requirement') {
    const r = e.requirement!;
    out.push(`${t.jis} ${r.jisQ27001}`, '', t.demands, wrap(e.summary[lang]));
    if (r.items.length) out.push('', t.items, ...r.items.map((i) => wrap(`${i.id}) ${i.text[lang]}`)));
    out.push('', t.evidence, ...r.evidence[lang].map((x) => `  - ${x}`));
    if (r.relatedControls.length) out.push('', `${t.related}: ${r.relatedControls.join(', ')}`);
  } else {
    const roles = (['customer', 'provider'] as const).map((r) => `${t[r]} ${e.cloudGuidance[r] ? t.yes : t.no}`).join(' / ');
    out.push(`${t.ext}: ${e.extended || e.kind === 'cld' ? roles : t.none}`);
    out.push(`${t.map2022}: ${e.iso27001_2022.map((m) => `${m.id.replace('2022:A.', '')} (${m.relation})`).join(', ')}`);
    out.push('', e.kind === 'cld' ? t.control : t.purpose, wrap(e.summary[lang]));
    if (e.category && e.kind === 'cld') out.push('', `${e.category.id}`, wrap(e.category.objective[lang]));
    for (const role of ['customer', 'provider'] as const) {
      const g = e.guidance[role];
      if (g) out.push('', t[role], wrap(g[lang]));
    }
    if (e.guidance.note) out.push('', t.note, wrap(e.guidance.note[lang]));
    if (e.cld) {
      const r = e.cld.related;
      out.push('', `${t.cldRel}: ISO/IEC 27001 ${r.iso27001_2013.join(', ')} · ISO/IEC 27002 ${r.iso27002_2013.join(', ')} · METI 2011 ${r.meti2011.join(', ')}`);
    }
  }
  out.push('', `${t.keywords}: ${e.keywords[lang].join(', ')}`);
  return out.join('\n');
}

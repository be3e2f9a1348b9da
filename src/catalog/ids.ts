// Control ID normalisation. Users type IDs in many shapes (A.12.3.1, cld9.5.1, １２．３．１);
// everything inside the product uses the canonical forms:
//   27002:2013 controls 12.3.1 · cloud extensions CLD.9.5.1 · JIP-ISMS517 requirements JIP-ISMS517-4.2.2
//   ISO/IEC 27001:2022 Annex A 5.23 (two levels never clash with the three-level 2013 IDs); A.5.23, 2022:A.5.23,
//   2022:5.23 and ５．２３ are accepted as input. Corpus mapping fields keep the 2022:A.8.13 spelling.

/** Full-width digits and dots to ASCII, upper case, no spaces. */
function fold(raw: string): string {
  return raw.normalize('NFKC').replace(/[。．]/g, '.').replace(/\s+/g, '').toUpperCase();
}

function stripZeros(dotted: string): string {
  return dotted.split('.').map((p) => String(Number(p))).join('.');
}

/**
 * Returns the canonical form of an ID-like string, or null when it does not look like an ID at all.
 * It does not check that the control exists: see Catalog.resolve for that.
 */
export function canonicalId(raw: string): string | null {
  const s = fold(raw);
  let m = /^CLD\.?(\d{1,2}\.\d{1,2}\.\d{1,2})$/.exec(s);
  if (m) return `CLD.${stripZeros(m[1]!)}`;
  m = /^(?:ISO\/?IEC)?(?:27001)?:?(?:2022:?)?(?:A\.?)?([5-8]\.\d{1,2})$/.exec(s);
  if (m) return stripZeros(m[1]!);
  m = /^(?:A\.?)?(\d{1,2}\.\d{1,2}\.\d{1,2})$/.exec(s);
  if (m) {
    const id = stripZeros(m[1]!);
    // Clause 4 holds no 27002 controls; 4.x.y is a JIP-ISMS517 requirement.
    return id.startsWith('4.') ? `JIP-ISMS517-${id}` : id;
  }
  m = /^(?:JIP-?)?(?:ISMS-?)?517(?:-1\.0)?[-:]?(4(?:\.\d){1,2})$/.exec(s);
  if (m) return `JIP-ISMS517-${m[1]}`;
  m = /^4\.\d$/.exec(s);
  if (m) return `JIP-ISMS517-${s}`;
  return null;
}

/** Levenshtein distance, for "did you mean" suggestions. */
export function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length]!;
}

/** The known IDs closest to a bad one, best first. */
export function nearestIds(raw: string, known: readonly string[], limit = 3): string[] {
  const target = canonicalId(raw) ?? fold(raw);
  return known
    .map((id) => ({ id, d: editDistance(target, id) }))
    .sort((x, y) => x.d - y.d || x.id.localeCompare(y.id, 'en', { numeric: true }))
    .slice(0, limit)
    .map((x) => x.id);
}

/** Sort order for canonical IDs: 5.1 < 8.34 (2022) < 5.1.1 < 18.2.3 < CLD.6.3.1 < JIP-ISMS517-4.1. */
export function compareIds(a: string, b: string): number {
  const rank = (id: string) => (/^\d+\.\d+$/.test(id) ? -1 : id.startsWith('CLD.') ? 1 : id.startsWith('JIP-') ? 2 : 0);
  return rank(a) - rank(b) || a.localeCompare(b, 'en', { numeric: true });
}

/** The ID-like tokens written in a free-text question, in canonical form, in order of appearance. */
export function idsInText(text: string): string[] {
  const folded = text.normalize('NFKC');
  // 2022 IDs (5.23, A.8.16, 2022:A.5.23) only where no digit or dot touches them, so that 12.5.1 never yields 5.1.
  const re = /(?:\b(?:CLD|cld)\.?\s?\d{1,2}\.\d{1,2}\.\d{1,2})|(?:\b(?:A|a)\.)?\b\d{1,2}\.\d{1,2}\.\d{1,2}\b|JIP-?ISMS-?517-?4(?:\.\d){1,2}|(?<![\d.\w])(?:2022:)?(?:[Aa]\.?\s?)?[5-8]\.\d{1,2}(?!\d|\.\d)/g;
  const out: string[] = [];
  for (const m of folded.matchAll(re)) {
    const id = canonicalId(m[0]);
    if (id && !out.includes(id)) out.push(id);
  }
  return out;
}

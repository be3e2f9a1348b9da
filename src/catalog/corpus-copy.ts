// The validated corpus kept between starts (ISMS_DATA_DIR/cache/corpus.json): validating corpus/ against its schemas
// costs about 0.2 s a start, zod's import included. The copy is keyed on every corpus file's text and on the
// validator's own source, so any change to either is validated again. Free of zod: a start that finds the copy
// never loads it.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { keyOf, moduleSource, readCached, writeCached } from '../cache.js';
import { packageRoot } from '../paths.js';
import type { Annex2022Control, ClauseFile, CldControl, GlossaryEntry, Product, Requirement, ResponsibilityRow, RiskFit, RiskScenario, Topic } from './schema.js';

export const defaultCorpusDir = join(packageRoot, 'corpus');

/** The corpus as validated: what the catalogue is built from. */
export interface RawCorpus {
  dir: string;
  clauses: ClauseFile[];
  cld: CldControl[];
  /** ISO/IEC 27001:2022 Annex A, the 93 controls. */
  annex2022: Annex2022Control[];
  /** The responsibility matrix (責任分界): who acts for a control in IaaS, PaaS and SaaS. */
  responsibility: ResponsibilityRow[];
  /** Cloud products people name (EC2, M365) with their service model. */
  products: Product[];
  /** Synonym groups for query expansion (everyday words to the corpus's words). */
  synonyms: string[][];
  requirements: Requirement[];
  topics: Topic[];
  glossary: GlossaryEntry[];
  risks: RiskScenario[];
  /** How each library risk fits a service, one entry per risk (risk-fit.json). */
  riskFit: RiskFit[];
  /** SHA-256 over every corpus file, for index staleness checks. */
  contentHash: string;
}

export interface CorpusProblem {
  file: string;
  path: string;
  reason: string;
}

export class CorpusError extends Error {
  constructor(readonly problems: CorpusProblem[]) {
    super(
      `The corpus is invalid (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.slice(0, 30).map((p) => `  ${p.file}${p.path ? ` at ${p.path}` : ''}: ${p.reason}`).join('\n') +
        (problems.length > 30 ? `\n  … and ${problems.length - 30} more` : ''),
    );
    this.name = 'CorpusError';
  }
}

export interface ReadOptions {
  /**
   * A folder for the validated corpus (ISMS_DATA_DIR/cache). When given, a corpus whose files, schemas and checks
   * are unchanged since it last passed is read from there instead of being validated again.
   */
  cacheDir?: string;
}

/** The loader's and the schemas' source: a change to either invalidates every validated copy. */
let codeHash: string | undefined;
function validatorHash(): string {
  codeHash ??= keyOf(moduleSource('./loader.js', import.meta.url), moduleSource('./schema.js', import.meta.url));
  return codeHash;
}

/** Every corpus file, in a fixed order. */
function corpusFiles(dir: string): string[] {
  const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  for (const sub of ['controls', 'responsibility']) {
    if (existsSync(join(dir, sub))) files.push(...readdirSync(join(dir, sub)).filter((f) => f.endsWith('.json')).sort().map((f) => `${sub}/${f}`));
  }
  return files;
}

/** The copy of corpus/ (dir) that last passed validation, if nothing has changed since; `save` stores a new one. */
export function validatedCopy(dir: string, cacheDir: string): { corpus?: RawCorpus; save: (c: RawCorpus) => void } {
  const h = createHash('sha256').update(validatorHash());
  for (const rel of corpusFiles(dir)) h.update(rel).update('\0').update(readFileSync(join(dir, rel))).update('\0');
  const key = h.digest('hex');
  const save = (corpus: RawCorpus) => writeCached(cacheDir, 'corpus.json', key, corpus);
  const corpus = readCached<RawCorpus>(cacheDir, 'corpus.json', key);
  return corpus ? { corpus: { ...corpus, dir }, save } : { save };
}

// What the benches share: inputs found from the package root (never from the working directory), medians, tables.
import { existsSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The shared retrieval questions (../shared/eval/dev_questions.jsonl beside the package); a bench fails loudly without them. */
export function devQuestions(file = process.env.BENCH_QUESTIONS ?? join(root, '..', 'shared', 'eval', 'dev_questions.jsonl')): { id: string; query: string; expected: string[] }[] {
  if (!existsSync(file)) throw new Error(`bench input not found: ${file}. Set BENCH_QUESTIONS to a JSONL file of {"id","query","expected"} lines`);
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { id: string; query: string; expected: string[] });
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function table(rows: [string, string][], note: string): string {
  return `| measure | value |\n|---|---|\n${rows.map(([k, v]) => `| ${k} | ${v} |`).join('\n')}\n\n${note}. Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}\n`;
}

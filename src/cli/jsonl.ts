// JSON Lines input for the batch commands: one {"id", "<field>"} object per line. A malformed line becomes an error
// value naming its line number, so the caller answers {"id": null, "error": ...} and goes on with the rest.
import { readFileSync } from 'node:fs';
import { UserError } from './args.js';

export type BatchLine = { id: unknown; text: string } | { error: string };

/** The lines of a file ("-" for stdin), without a UTF-8 BOM (common from Windows editors), numbered from 1. */
export function readLines(file: string): [number, string][] {
  let text: string;
  try {
    text = readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (e) {
    throw new UserError(`cannot read ${file}: ${(e as Error).message}`);
  }
  return text.replace(/^\uFEFF/, '').split(/\r?\n/).map((l, i) => [i + 1, l]);
}

/** Each non-empty line as {id, text} (text from `field`), or as an error naming the line and what it lacks. */
export function* batchLines(file: string, field: string): Generator<BatchLine> {
  for (const [n, line] of readLines(file)) {
    if (!line.trim()) continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch (e) {
      yield { error: `line ${n}: not valid JSON (${(e as Error).message})` };
      continue;
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
      yield { error: `line ${n}: expected an object {"id": ..., "${field}": "..."}` };
      continue;
    }
    const item = parsed as Record<string, unknown>;
    const text = item[field];
    if (typeof text !== 'string' || !text.trim()) {
      yield { error: `line ${n}: needs a non-empty string "${field}"${item.id !== undefined ? ` (id ${JSON.stringify(item.id)})` : ''}` };
      continue;
    }
    if (item.id === undefined) {
      yield { error: `line ${n}: needs an "id"` };
      continue;
    }
    yield { id: item.id, text };
  }
}

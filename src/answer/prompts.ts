// Prompt templates live in prompts/ as files; {{name}} placeholders are filled here.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../paths.js';

export const promptsDir = join(packageRoot, 'prompts');

const cache = new Map<string, string>();

export function loadPrompt(name: string, dir = promptsDir): string {
  const file = join(dir, name);
  let text = cache.get(file);
  if (text === undefined) {
    text = readFileSync(file, 'utf8');
    cache.set(file, text);
  }
  return text;
}

/** Fills {{name}} placeholders; values are inserted as they are, never re-scanned for placeholders. */
export function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{\{(\w+)\}\}/g, (m, k: string) => (k in values ? values[k]! : m));
}

// Validates single corpus files against their schema: npx tsx scripts/check-corpus-file.ts FILE...
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { clauseFile, cldFile, requirementsFile, topicsFile, glossaryFile, risksFile } from '../src/catalog/schema.js';
import type { ZodType } from 'zod';

function schemaFor(file: string): ZodType {
  const name = basename(file);
  if (name.startsWith('clause-')) return clauseFile;
  const map: Record<string, ZodType> = {
    'cld.json': cldFile, 'requirements.json': requirementsFile, 'topics.json': topicsFile,
    'glossary.json': glossaryFile, 'risks.json': risksFile,
  };
  const s = map[name];
  if (!s) throw new Error(`no schema for ${name}`);
  return s;
}

let failed = false;
for (const file of process.argv.slice(2)) {
  const data: unknown = JSON.parse(readFileSync(file, 'utf8'));
  const r = schemaFor(file).safeParse(data);
  if (r.success) console.log(`${file}: ok`);
  else {
    failed = true;
    for (const i of r.error.issues.slice(0, 20)) console.log(`${file}: ${i.path.join('.')}: ${i.message}`);
  }
}
process.exit(failed ? 1 : 0);

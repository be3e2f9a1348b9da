// The organisation's own documents (policies, a licensed copy of the standard) from ISMS_DOCS_DIR.
// Markdown is split by headings, plain text by blank-line-separated blocks; each chunk cites file and heading.
import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import type { Catalog } from '../catalog/catalog.js';
import { ConfigError } from '../config.js';
import { idsInText } from '../catalog/ids.js';
import type { Chunk } from './chunks.js';
import { detectLang } from './text.js';

const extensions = new Set(['.md', '.markdown', '.txt']);
const maxChars = 1200;

export interface DocFile {
  file: string;
  text: string;
}

/** Why a file or folder under ISMS_DOCS_DIR was left out. */
export interface SkippedDoc {
  file: string;
  reason: string;
}

/**
 * The documents under `dir`. A symlink is followed only when its target lies inside `dir` (so a link cannot bring
 * /etc/passwd or another team's files into answers), each real folder is walked once (so a link loop ends), and a
 * broken link is skipped; every skipped entry is reported through `onSkip`.
 */
export function readDocs(dir: string | undefined, onSkip: (s: SkippedDoc) => void = () => {}): DocFile[] {
  if (!dir) return [];
  const out: DocFile[] = [];
  let root: string;
  try {
    root = realpathSync(dir);
    if (!statSync(root).isDirectory()) throw Object.assign(new Error('not a folder'), { code: 'ENOTDIR' });
  } catch (e) {
    throw new ConfigError(`ISMS_DOCS_DIR=${dir} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): point it at a folder of .md or .txt documents, or unset it`);
  }
  const inside = (p: string) => p === root || p.startsWith(root + sep);
  const walked = new Set<string>();
  const walk = (d: string) => {
    const real = realpathSync(d);
    if (walked.has(real)) return;
    walked.add(real);
    let names: string[];
    try {
      names = readdirSync(d).sort();
    } catch (e) {
      onSkip({ file: relative(root, d) || '.', reason: `cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})` });
      return;
    }
    for (const name of names) {
      if (name.startsWith('.')) continue;
      const p = join(d, name);
      const file = relative(root, p);
      let target = p;
      try {
        if (lstatSync(p).isSymbolicLink()) {
          target = realpathSync(p);
          if (!inside(target)) {
            onSkip({ file, reason: 'a symlink to outside ISMS_DOCS_DIR' });
            continue;
          }
        }
        const st = statSync(target);
        if (st.isDirectory()) walk(target === p ? p : target);
        else if (st.isFile() && extensions.has(extname(name).toLowerCase())) out.push({ file, text: readFileSync(target, 'utf8') });
      } catch (e) {
        onSkip({ file, reason: `cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}, e.g. a broken link or a link loop)` });
      }
    }
  };
  walk(root);
  return out;
}

export function docsHash(docs: DocFile[]): string {
  const h = createHash('sha256');
  for (const d of docs) h.update(d.file).update('\0').update(d.text).update('\0');
  return h.digest('hex');
}

interface Section {
  heading: string;
  body: string;
}

function markdownSections(text: string, file: string): Section[] {
  const sections: Section[] = [];
  const trail: string[] = [];
  let current: Section = { heading: file, body: '' };
  for (const line of text.split(/\r?\n/)) {
    const m = /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (m) {
      if (current.body.trim()) sections.push(current);
      trail.length = m[1]!.length - 1;
      trail[m[1]!.length - 1] = m[2]!;
      current = { heading: trail.filter(Boolean).join(' > '), body: '' };
    } else current.body += line + '\n';
  }
  if (current.body.trim()) sections.push(current);
  return sections;
}

function textSections(text: string, file: string): Section[] {
  // A short line followed by a blank line, with no sentence end, is taken as a heading.
  const blocks = text.split(/\n\s*\n/).map((b) => b.trim()).filter(Boolean);
  const sections: Section[] = [];
  let current: Section = { heading: file, body: '' };
  for (const b of blocks) {
    if (!b.includes('\n') && b.length <= 60 && !/[.。:：]$/.test(b)) {
      if (current.body.trim()) sections.push(current);
      current = { heading: b, body: '' };
    } else current.body += b + '\n\n';
  }
  if (current.body.trim()) sections.push(current);
  return sections;
}

/** Splits long text on paragraph or sentence boundaries into pieces of at most maxChars. */
function windows(body: string): string[] {
  const parts = body.split(/(?<=[。.!?！？])\s*|\n\s*\n/).filter((p) => p.trim());
  const out: string[] = [];
  let cur = '';
  for (const p of parts) {
    if (cur && cur.length + p.length > maxChars) {
      out.push(cur.trim());
      cur = '';
    }
    cur += (cur ? ' ' : '') + p;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

export function docChunks(docs: DocFile[], catalog: Catalog): Chunk[] {
  const out: Chunk[] = [];
  for (const d of docs) {
    const isMd = /\.(md|markdown)$/i.test(d.file);
    const sections = isMd ? markdownSections(d.text, d.file) : textSections(d.text, d.file);
    for (const s of sections) {
      windows(s.body).forEach((text, i) => {
        const cites = idsInText(`${s.heading} ${text}`).filter((id) => catalog.has(id));
        out.push({
          key: `doc:${d.file}#${s.heading}#${i}`, controlId: cites[0] ?? null, cites, facet: 'doc', role: null,
          lang: detectLang(text), title: `${d.file} — ${s.heading}`, text: `${s.heading}. ${text}`,
          source: { file: d.file, heading: s.heading },
        });
      });
    }
  }
  return out;
}

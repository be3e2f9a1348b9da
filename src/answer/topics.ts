// Cloud operations topics in answers (licences, IT service management in hybrid cloud, CMDB, the certification
// scheme): a topic joins an answer when the question names its subject (a title or keyword phrase of the topic), and
// then only with the sentences that bear on the question, in competition with the controls' own sentences.
import type { Catalog } from '../catalog/catalog.js';
import type { Topic } from '../catalog/schema.js';
import { normalise, tokenize, type Lang } from '../search/text.js';
import { LEAD_WEIGHT, part, TOPIC_WEIGHT, type Block, type Line } from './compose.js';
import type { Scored } from './sentences.js';
import { T } from './text.js';

const japanese = /[\u3040-\u30ff\u3400-\u9fff]/;

/** Whether a phrase occurs in the question: Japanese as a substring, English as a sequence of stemmed words. */
function names(question: string, tokens: string[], phrase: string): boolean {
  if (japanese.test(phrase)) return normalise(question).includes(normalise(phrase));
  const seq = tokenize(phrase);
  if (!seq.length) return false;
  outer: for (let i = 0; i + seq.length <= tokens.length; i++) {
    for (let j = 0; j < seq.length; j++) if (tokens[i + j] !== seq[j]) continue outer;
    return true;
  }
  return false;
}

/** The topics whose subject the question names. */
export function topicsNamed(catalog: Catalog, question: string): Topic[] {
  const tokens = tokenize(question);
  return catalog.topics.filter((t) =>
    [t.title.en, t.title.ja, ...t.keywords.en, ...t.keywords.ja].some((p) => names(question, tokens, p)));
}

/** "What is …?", "…とは？": the question asks what something is, which a topic it names can say best. */
const asksWhat = /\bwhat(?:'s| is| are)\b|\bexplain\b|とは|って何|ってなに|とは何/i;

/**
 * A topic as a block of the answer: its title, then each section's sentences to choose from. Cites nothing itself.
 * Its sentences weigh less than the controls', unless the question asks what something is.
 */
export function topicBlock(t: Topic, lang: Lang, score: (text: string) => Scored[], question = ''): Block {
  const lines: Line[] = [`*${T[lang].topic}: ${t.title[lang]}*`];
  for (const s of t.sections) lines.push(part(`  ${s.heading[lang]}: `, score(s.body[lang])));
  return { id: t.id, lines, cites: [], optional: true, weight: asksWhat.test(question) ? LEAD_WEIGHT : TOPIC_WEIGHT };
}

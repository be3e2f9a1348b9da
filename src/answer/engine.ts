// Question -> retrieval -> answer with verified citations. LLM mode when a chat model is configured,
// extractive otherwise or when the model fails. The engine reads the catalogue and the search index only:
// it holds no reference to the SoA store, so nothing a question says can change a record.
import type { Catalog } from '../catalog/catalog.js';
import { redact, silentLogger, type Logger } from '../log.js';
import type { SearchEngine, SearchHit } from '../search/engine.js';
import { detectLang, tokenize, type Lang } from '../search/text.js';
import { contextLabel, labelIds, withMapped } from './annex2022.js';
import { checkCitations } from './citations.js';
import { composeExtractive, type AnswerRole } from './extractive.js';
import { detectHats, type Hats } from './hats.js';
import type { ChatMessage, ChatModel } from './llm.js';
import { fill, loadPrompt } from './prompts.js';
import { warmSentences } from './sentences.js';
import { T } from './text.js';

export interface Turn {
  role: 'user' | 'assistant';
  text: string;
}

export interface Answer {
  answer: string;
  citations: string[];
  language: Lang;
  role: AnswerRole;
  mode: 'llm' | 'extractive';
  confidence: number;
  /** Citations the model made that failed the check. */
  removedCitations?: string[];
  /** Why LLM mode fell back to the extractive answer. */
  fallback?: string;
  outOfScope?: boolean;
  /** No control clearly answers: the answer says so (a dead end when an answer existed). */
  notFound?: boolean;
  /** The retrieved controls, best first, for rendering (titles, role badges). */
  hits: SearchHit[];
  documents: SearchHit[];
}

export interface AskOptions {
  role?: AnswerRole;
  history?: Turn[];
}

export interface AnswerEngineOptions {
  chat?: ChatModel | null;
  /** The organisation's role when the question names none: ISMS_ROLE or the SoA profile. */
  defaultRole?: () => AnswerRole | Promise<AnswerRole>;
  log?: Logger;
  top?: number;
  promptsDir?: string;
  /** How many extractive answers are kept for repeated questions (default 500; 0: none, as bench:answer measures). */
  cacheSize?: number;
  /** Where the sentences' term statistics are kept between starts (ISMS_DATA_DIR/cache). */
  cacheDir?: string;
}

/** Below this share of the question's terms in the best chunk, retrieval is weak. */
const LOW_MATCH = 0.15;
/** A question with no domain term (glossary) and no control ID needs this much overlap with a chunk to be in scope. */
const SCOPE_MATCH = 0.6;
/** Confidence added when a glossary term of the question names the leading control, and when the matrix answers. */
const CONFIDENCE_VOUCHED = 0.2;
const CONFIDENCE_MATRIX = 0.15;
/** Extractive answers kept for repeated questions (about 10 KB each). */
const ANSWER_CACHE_SIZE = 500;
const securityWord = /\bsecur(e|ity)\b|セキュリティ|\bprivacy\b|プライバシー/i;
const followUpMarkers = /^(and|what about|how about|also|then)\b|側は|の方は|はどう|については|は[?？]$|場合は[?？]?$/i;

export class AnswerEngine {
  private readonly log: Logger;
  private readonly cache: Lru<Answer>;
  constructor(private readonly catalog: Catalog, private readonly search: SearchEngine, private readonly o: AnswerEngineOptions = {}) {
    this.log = o.log ?? silentLogger;
    this.cache = new Lru<Answer>(o.cacheSize ?? ANSWER_CACHE_SIZE);
  }

  get mode(): 'llm' | 'extractive' {
    return this.o.chat ? 'llm' : 'extractive';
  }

  get searchMode(): string {
    return this.search.hasDense ? 'hybrid search' : 'lexical-only search';
  }

  async ask(question: string, opts: AskOptions = {}): Promise<Answer> {
    const history = opts.history ?? [];
    const lang = detectLang(question);
    const lastUser = [...history].reverse().find((t) => t.role === 'user')?.text;
    // A short follow-up ("プロバイダ側は？") is read together with the previous question.
    const isFollowUp = !!lastUser && (followUpMarkers.test(question.trim()) || question.trim().length < (lang === 'ja' ? 14 : 24));
    // An extractive answer depends only on the question, the role asked for and the index this engine holds: the
    // same question asked again (a colleague, a retry) is answered from the cache. Follow-ups and model answers are not.
    const defaultRole = await this.o.defaultRole?.();
    const key = isFollowUp || this.o.chat || this.o.cacheSize === 0 ? null : `${opts.role ?? ''}\0${defaultRole ?? ''}\0${question}`;
    const hit = key === null ? undefined : this.cache.get(key);
    if (hit) return { ...hit };
    const answer = await this.answer(question, opts, history, lang, isFollowUp, lastUser, defaultRole);
    if (key !== null && answer.mode === 'extractive' && !answer.fallback) this.cache.set(key, answer);
    return answer;
  }

  /**
   * Builds now what the first answer would otherwise build (the sentences' term statistics, the glossary's forms),
   * so that the first question after a start is answered as fast as the next ones.
   */
  warm(): void {
    warmSentences(this.catalog, this.o.cacheDir);
    this.search.glossaryMatches('');
  }

  /** How many answers came from the cache, and how many were worked out. */
  get cacheStats(): { hits: number; misses: number } {
    return this.cache.stats;
  }

  private async answer(question: string, opts: AskOptions, history: Turn[], lang: Lang, isFollowUp: boolean, lastUser: string | undefined, defaultRole?: AnswerRole): Promise<Answer> {
    const retrievalText = isFollowUp ? `${lastUser} ${question}` : question;
    // Who asks in which model: "EC2" is a customer of IaaS, "our SaaS" a provider; a follow-up keeps the thread's.
    const hats = detectHats(question, this.catalog.products);
    const earlier = isFollowUp && lastUser ? detectHats(lastUser, this.catalog.products) : null;
    const role: AnswerRole = opts.role ?? hats.role ?? earlier?.role ?? defaultRole ?? 'both';
    const asked = hats.model || hats.both ? hats : earlier ?? hats;
    const top6 = { top: this.o.top ?? 6 };
    let result = await this.search.search(retrievalText, top6);
    // A weak match that names products tries again with the products' own words ("EC2" → virtual machine, guest OS).
    const products = [...hats.products, ...(earlier?.products ?? [])];
    // Not when a domain term of the question names the leading control ("CMDB" → 8.1.1): that is the answer.
    const named = (r: typeof result) => this.search.glossaryMatches(retrievalText).some((g) => g.controls.includes(r.hits[0]?.controlId ?? ''));
    if ((result.hits[0]?.match ?? 0) < LOW_MATCH && products.length && !named(result)) {
      const terms = products.flatMap((p) => [...p.terms.en, ...p.terms.ja]).join(' ');
      const again = await this.search.search(`${retrievalText} ${terms}`, top6);
      if ((again.hits[0]?.match ?? 0) > (result.hits[0]?.match ?? 0)) result = again;
    }
    const hits = result.hits.filter((h) => h.controlId && this.catalog.has(h.controlId));
    const top = hits[0];
    const typedId = result.query.ids.some((id) => this.catalog.has(id));
    const glossary = this.search.glossaryMatches(retrievalText);
    // A question that speaks of security ("why should the security team care?") is in the domain even when it names
    // no glossary term.
    const domainTerms = glossary.length + (securityWord.test(retrievalText) ? 1 : 0);
    const match = top?.match ?? 0;
    const vouched = !!top && glossary.some((g) => g.controls.includes(top.controlId!));
    // One word ("clear", "exit") is not a question: however well it matches a title, it answers nothing.
    const tooShort = !typedId && new Set(tokenize(retrievalText)).size < 2;
    // Confidence: the share of the question's terms in the best chunk, raised when a domain term of the question
    // points at the leading control and when the matrix answers for the model asked; calibrated on the answer dev
    // set so that answers at 0.7 or more cite an expected control (see README).
    const matrixAnswers = !!top && !!asked.model && !!this.catalog.responsibility(top.controlId!);
    const confidence = tooShort ? Math.min(0.2, match) : round(typedId ? Math.max(0.9, match)
      : Math.min(1, match * 1.25 + (vouched ? CONFIDENCE_VOUCHED : 0) + (matrixAnswers ? CONFIDENCE_MATRIX : 0)));
    const base = { language: lang, role, confidence, hits, documents: result.documents };

    if (!top || (!typedId && domainTerms === 0 && match < SCOPE_MATCH)) {
      return { ...base, answer: T[lang].outOfScope, citations: [], mode: 'extractive', confidence: 0, outOfScope: true, hits: [], documents: [] };
    }
    // Weak word overlap is still an answer when a domain term of the question points at the leading control.
    const lowConfidence = tooShort || (!typedId && match < LOW_MATCH && !vouched);
    warmSentences(this.catalog, this.o.cacheDir);
    const extractive = () => composeExtractive(this.catalog, hits, result.documents, lang, role, { lowConfidence, question: retrievalText, hats: asked });

    if (!this.o.chat || lowConfidence) {
      const e = extractive();
      return { ...base, answer: e.text, citations: e.citations, mode: 'extractive', ...(lowConfidence ? { notFound: true, confidence: Math.min(confidence, 0.3) } : {}) };
    }
    try {
      const raw = await this.o.chat.complete(this.messages(question, history, hits, result.documents, lang, role, asked));
      if (!raw.trim()) throw new Error('empty reply');
      const context = withMapped(this.catalog, hits.map((h) => h.controlId!));
      const check = checkCitations(redact(raw), new Set(context.map((e) => e.id)), labelIds(context));
      if (check.removed.length) this.log.warn('removed citations outside the retrieved context', { removed: check.removed });
      const answer = check.removed.length ? `${check.text}\n\n${T[lang].removed(check.removed.join(', '))}` : check.text;
      return { ...base, answer, citations: check.cited, mode: 'llm', ...(check.removed.length ? { removedCitations: check.removed } : {}) };
    } catch (e) {
      const why = describeFailure(e);
      this.log.warn('language model failed; answering from the catalogue', { reason: why });
      const ex = extractive();
      return { ...base, answer: `${ex.text}\n\n${T[lang].fallback(why)}`, citations: ex.citations, mode: 'extractive', fallback: why };
    }
  }

  private messages(question: string, history: Turn[], hits: SearchHit[], docs: SearchHit[], lang: Lang, role: AnswerRole, asked: Hats): ChatMessage[] {
    const context = [
      ...withMapped(this.catalog, hits.map((h) => h.controlId!)).map((e) => {
        const parts = [contextLabel(e), `${e.annex2022 ? 'Control' : 'Purpose'}: ${e.summary[lang]}`];
        if (e.annex2022?.cloud.length) parts.push(`ISO/IEC 27017 items: ${e.annex2022.cloud.join(', ')}`);
        if (e.guidance.customer) parts.push(`Customer guidance: ${e.guidance.customer[lang]}`);
        if (e.guidance.provider) parts.push(`Provider guidance: ${e.guidance.provider[lang]}`);
        const row = this.catalog.responsibility(e.id);
        if (row) {
          parts.push(...(['IaaS', 'PaaS', 'SaaS'] as const).map((m) =>
            `Responsibility in ${m} (${row.models[m].actor} acts): customer: ${row.models[m].customer[lang]} provider: ${row.models[m].provider[lang]}`));
        }
        return parts.join('\n');
      }),
      ...docs.map((d) => `[document: ${d.source!.file} › ${d.source!.heading}${d.controlId ? `; about ${d.controlId}` : ''}]\n${d.text}`),
    ].join('\n\n');
    const user = fill(loadPrompt('answer.user.md', this.o.promptsDir), {
      language: lang === 'ja' ? 'Japanese (日本語)' : 'English',
      role: (asked.both ? `both: provider of its own ${asked.both.service}, and customer of ${asked.both.platform.name} (${asked.both.platform.model})`
        : role === 'both' ? 'both customer and provider (answer both, separately)' : role) + (asked.model && !asked.both ? `, in ${asked.model}` : ''),
      history: history.slice(-6).map((t) => `${t.role}: ${t.text}`).join('\n') || '(none)',
      context,
      question,
    });
    return [{ role: 'system', content: loadPrompt('answer.system.md', this.o.promptsDir) }, { role: 'user', content: user }];
  }
}

function describeFailure(e: unknown): string {
  const err = e as { status?: number; name?: string; message?: string };
  if (err?.name === 'APIConnectionTimeoutError' || /timed? ?out/i.test(err?.message ?? '')) return 'timeout';
  if (typeof err?.status === 'number') return `HTTP ${err.status}`;
  return redact(err?.message ?? String(e)).slice(0, 120);
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

/** A map that keeps its `size` most recently used entries. */
class Lru<V> {
  private readonly map = new Map<string, V>();
  readonly stats = { hits: 0, misses: 0 };
  constructor(private readonly size: number) {}

  get(key: string): V | undefined {
    const v = this.map.get(key);
    if (v === undefined) {
      this.stats.misses++;
      return undefined;
    }
    this.stats.hits++;
    this.map.delete(key);
    this.map.set(key, v);
    return v;
  }

  set(key: string, v: V): void {
    this.map.delete(key);
    this.map.set(key, v);
    if (this.map.size > this.size) this.map.delete(this.map.keys().next().value!);
  }
}

// The guided risk assessment as one state machine: state + input → new state, notes and the next question.
// It reads the catalogue, the profile and the SoA through FlowDeps and never writes: an approver's "approve"
// returns commit: true and the caller writes everything in one transaction (see commit.ts).
import { randomBytes } from 'node:crypto';
import type { Catalog, CatalogEntry, Edition } from '../catalog/catalog.js';
import type { RiskLevel } from '../config.js';
import type { Lang } from '../search/text.js';
import { linesFor, soaItems, splitKey, type Profile } from '../soa/index.js';
import * as parse from './parse.js';
import type { AssessmentInput, AssessmentState, Choice, DraftRisk, Prompt, ScopeRole, Step, StepResult } from './types.js';

export interface FlowDeps {
  catalog: Catalog;
  profile: Profile | null;
  /** The SoA's edition: its lines are what the missed-control step lists (2022: 5.23, 12.3.1@customer, ...). */
  edition: Edition;
  /** SoA lines (keys) that already have an approved decision. */
  decided: Set<string>;
  /** Of those, the ones excluded (not applicable): choosing one for a risk reverses an approved exclusion. */
  excluded: Set<string>;
  riskLevels: RiskLevel[];
  isApprover(user: string): boolean;
  /** Catalogue controls that retrieval finds for a risk, best first. */
  suggest(text: string, role: ScopeRole): Promise<string[]>;
}

const tr = (lang: Lang, en: string, ja: string) => (lang === 'ja' ? ja : en);
const analysisSteps: Step[] = ['cia', 'owner', 'likelihood', 'impact'];
/** How many missed controls a message lists; the rest are counted. */
const MISSED_SHOWN = 20;

export function rolesOf(role: ScopeRole | undefined): ('customer' | 'provider')[] {
  return role === 'both' || !role ? ['customer', 'provider'] : [role];
}

export function levelOf(score: number, levels: RiskLevel[]): string {
  return levels.find((l) => score >= l.min && score <= l.max)?.name ?? '?';
}

export function start(thread: string, user: string, lang: Lang, at: string, deps: FlowDeps, service?: string): StepResult {
  const state: AssessmentState = {
    version: 1, id: `A-${randomBytes(3).toString('hex')}`, thread, startedBy: user, startedAt: at, updatedAt: at, lang,
    step: 'service', scope: { assets: [] }, offered: [], risks: [], cursor: 0, missed: [], decisions: [], answers: [],
  };
  const notes = [tr(lang, `Risk assessment ${state.id} started by ${user}. Type "cancel" at any time to stop without saving anything.`,
    `リスクアセスメント ${state.id} を開始しました（開始: ${user}）。「キャンセル」と入力すればいつでも何も保存せずに終了できます。`)];
  if (service?.trim()) chooseService(state, service.trim(), deps);
  return { state, notes, prompt: prompt(state, deps) };
}

function chooseService(state: AssessmentState, name: string, deps: FlowDeps): void {
  state.scope.service = name;
  const known = deps.profile?.services.find((s) => s.name.toLowerCase() === name.toLowerCase());
  if (known) {
    state.scope.service = known.name;
    state.scope.role = known.role;
    state.scope.model = known.model;
    state.scope.runsOn = known.runsOn ?? null;
  }
  state.step = 'role';
}

/** The question for the current step. */
export function prompt(state: AssessmentState, deps: FlowDeps): Prompt | undefined {
  const { lang } = state;
  const s = state.scope;
  const risk = state.risks[state.cursor];
  const head = risk ? `[${state.cursor + 1}/${state.risks.length}] ${risk.title}: ` : '';
  switch (state.step) {
    case 'service':
      return {
        text: tr(lang, 'Which cloud service is this assessment for? Type its name.', 'どのクラウドサービスのアセスメントですか？ サービス名を入力してください。'),
        choices: deps.profile?.services.map((x) => ({ value: x.name, label: x.name })),
      };
    case 'role':
      return {
        text: tr(lang, `What is the organisation's role for ${s.service}?`, `${s.service} における組織の役割は？`),
        choices: [
          { value: 'customer', label: tr(lang, 'Customer (we use it)', 'カスタマ（利用する）') },
          { value: 'provider', label: tr(lang, 'Provider (we offer it)', 'プロバイダ（提供する）') },
          { value: 'both', label: tr(lang, 'Both', '両方') },
        ],
        suggested: s.role,
      };
    case 'model':
      return {
        text: tr(lang, 'Which service model?', 'サービスモデルは？'),
        choices: (['IaaS', 'PaaS', 'SaaS'] as const).map((m) => ({ value: m, label: m })), suggested: s.model,
      };
    case 'runsOn':
      return {
        text: tr(lang, `Does ${s.service} itself run on other cloud services? Answer "no", or "yes" and their names (e.g. yes AWS).`,
          `${s.service} 自体が他のクラウドサービス上で稼働していますか？「いいえ」または「はい AWS」のように答えてください。`),
        choices: [{ value: 'no', label: tr(lang, 'No', 'いいえ') }],
        suggested: s.runsOn ? `yes ${s.runsOn}` : s.runsOn === null ? 'no' : undefined,
      };
    case 'assets':
      return {
        text: tr(lang, 'List the information assets in scope with their classification, e.g. "customer records: confidential, invoices: internal".',
          '対象の情報資産と分類を入力してください（例:「顧客データ: 機密, 請求書: 社外秘」）。'),
      };
    case 'risks': {
      const picked = state.risks.map((r) => r.libraryId).filter(Boolean);
      return {
        text: tr(lang,
          `Which risks apply to ${s.service}? Pick scenarios by number or ID (e.g. 1,4,7), add your own with "+ title", then "next".`,
          `${s.service} に当てはまるリスクは？ 番号か ID で選び（例: 1,4,7）、独自のリスクは「+ タイトル」で追加し、最後に「次へ」と入力してください。`),
        // The list is shown once; later prompts show only the selection (the notes).
        choices: picked.length || state.risks.length ? undefined : state.offered.map((id, i) => {
          const r = deps.catalog.risks.find((x) => x.id === id)!;
          return { value: id, label: `${i + 1}. ${id} ${r.title[lang]}` };
        }),
        multi: true,
      };
    }
    case 'cia':
      return { text: head + tr(lang, 'Which properties does it affect? C (confidentiality), I (integrity), A (availability), e.g. CI.', 'どの特性に影響しますか？ C（機密性）、I（完全性）、A（可用性）の組合せで（例: CI）。'), suggested: risk?.cia, analysisForm: true };
    case 'owner':
      return { text: head + tr(lang, 'Who is the risk owner? (required)', 'リスク所有者は誰ですか？（必須）'), user: true };
    case 'likelihood':
      return { text: head + tr(lang, 'Likelihood, 1 (rare) to 5 (almost certain)?', '起こりやすさは？ 1（まれ）〜5（ほぼ確実）'), choices: scale() };
    case 'impact':
      return { text: head + tr(lang, 'Impact, 1 (negligible) to 5 (severe)?', '影響の大きさは？ 1（軽微）〜5（甚大）'), choices: scale() };
    case 'treatment':
      return {
        text: head + tr(lang, 'How will the risk be treated?', 'リスク対応の選択肢は？'),
        choices: [
          { value: 'modify', label: tr(lang, 'Modify (apply controls)', '低減（管理策を適用）') },
          { value: 'retain', label: tr(lang, 'Retain (accept)', '保有（受容）') },
          { value: 'avoid', label: tr(lang, 'Avoid', '回避') },
          { value: 'share', label: tr(lang, 'Share (transfer)', '共有（移転）') },
        ],
      };
    case 'controls':
      return {
        text: head + tr(lang,
          'Proposed controls below. "ok" to accept, "+12.3.1" to add, "-9.4.1" to remove, or type the full list.',
          '提案する管理策は次のとおりです。「ok」で確定、「+12.3.1」で追加、「-9.4.1」で削除、または一覧を入力してください。'),
        choices: risk!.controls.map((id) => ({ value: id, label: controlLine(deps.catalog.get(id)!, state) })),
      };
    case 'missing': {
      const open = openMissed(state);
      return {
        text: tr(lang,
          `${open.length} controls relevant to ${rolesOf(s.role).join(' and ')} are neither chosen nor decided in the SoA (JIP-ISMS517 4.2.2 c). ` +
          'Decide with "include 12.4.1[,…] [reason]" or "exclude 11.1.1 <justification>", or "next" to leave the rest open in the SoA.',
          `${rolesOf(s.role).map((r) => (r === 'customer' ? 'カスタマ' : 'プロバイダ')).join('・')}に関係し、選択も適用宣言書での判断もされていない管理策が ${open.length} 件あります（JIP-ISMS517 4.2.2 c）。` +
          '「include 12.4.1[,…] [理由]」で採用、「exclude 11.1.1 <除外理由>」で除外、「次へ」で残りを適用宣言書の未決として残します。'),
        // Listed once, cloud controls first; later prompts only count what is left.
        choices: state.decisions.length ? undefined : open.slice(0, MISSED_SHOWN).map((id) => ({ value: id, label: `${id} ${lineTitle(id, deps, lang)}` })),
      };
    }
    case 'review':
      return {
        text: tr(lang,
          state.submittedBy ? `Submitted by ${state.submittedBy}. An approver can now "approve" (writes everything) or "cancel".` : '"submit" to send this to the approvers, or an approver can "approve" directly.',
          state.submittedBy ? `${state.submittedBy} が提出しました。承認者は「approve」で確定（すべて記録）、または「キャンセル」できます。` : '「submit」で承認者に提出します。承認者は「approve」で直接確定できます。'),
        choices: [{ value: 'submit', label: tr(lang, 'Submit for approval', '承認へ提出') }, { value: 'approve', label: tr(lang, 'Approve', '承認') }],
      };
    default:
      return undefined;
  }
}

const scale = (): Choice[] => [1, 2, 3, 4, 5].map((n) => ({ value: String(n), label: String(n) }));

function controlLine(e: CatalogEntry, state: AssessmentState): string {
  const roles = rolesOf(state.scope.role);
  const g = roles.map((r) => e.guidance[r]).find(Boolean);
  const text = (g ?? e.summary)[state.lang];
  const first = state.lang === 'ja' ? text.split('。')[0] + '。' : text.split(/(?<=\.)\s/)[0];
  return `${e.id} ${e.title[state.lang]} — ${first}`;
}

/** The SoA lines that the controls chosen for the risks bear on (in 2022, 12.3.1 becomes 8.13 and 12.3.1@customer ...). */
function chosenLines(state: AssessmentState, deps: FlowDeps): string[] {
  const roles = rolesOf(state.scope.role);
  return [...new Set(state.risks.flatMap((r) => r.controls).flatMap((id) => linesFor(deps.catalog, deps.edition, id, roles)))];
}

/** SoA lines relevant to the roles in scope that no risk chose and the SoA has not decided, minus those decided here. */
export function missedControls(state: AssessmentState, deps: FlowDeps): string[] {
  const roles = rolesOf(state.scope.role);
  const chosen = new Set(chosenLines(state, deps));
  const cloudFirst = (x: { entry: CatalogEntry; role: string | null }) => (x.entry.kind === 'cld' ? 0 : x.role || x.entry.extended ? 1 : 2);
  return soaItems(deps.catalog, deps.edition, roles)
    .filter((x) => x.relevant && !chosen.has(x.key) && !deps.decided.has(x.key))
    .sort((a, b) => cloudFirst(a) - cloudFirst(b))
    .map((x) => x.key);
}

/** The title of an SoA line for a prompt: "12.3.1@customer" shows the title of 12.3.1. */
function lineTitle(key: string, deps: FlowDeps, lang: Lang): string {
  return deps.catalog.get(splitKey(key).id)?.title[lang] ?? '';
}

function openMissed(state: AssessmentState): string[] {
  const done = new Set(state.decisions.map((d) => d.controlId));
  return state.missed.filter((id) => !done.has(id));
}

/** Offers the library scenarios that fit the roles and the service model. */
function offer(state: AssessmentState, deps: FlowDeps): string[] {
  const roles = rolesOf(state.scope.role);
  return deps.catalog.risks
    .filter((r) => r.roles.some((x) => roles.includes(x)) && (!state.scope.model || r.serviceModels.includes(state.scope.model)))
    .map((r) => r.id);
}

export async function advance(prev: AssessmentState, input: AssessmentInput, deps: FlowDeps): Promise<StepResult> {
  const state: AssessmentState = structuredClone(prev);
  const { lang } = state;
  const text = input.text.normalize('NFKC').trim();
  const again = (error: string): StepResult => ({ state: prev, notes: [], error, prompt: prompt(prev, deps) });

  if (state.step === 'done' || state.step === 'cancelled') return again(tr(lang, 'This assessment has ended.', 'このアセスメントは終了しています。'));
  if (parse.isCancel(text)) {
    state.step = 'cancelled';
    state.updatedAt = input.at;
    return { state, notes: [tr(lang, `Assessment ${state.id} cancelled by ${input.user}. Nothing was written.`, `${input.user} がアセスメント ${state.id} をキャンセルしました。何も記録していません。`)] };
  }
  const langSwitch = /^lang\s+(en|ja)$/i.exec(text);
  if (langSwitch) {
    state.lang = langSwitch[1]!.toLowerCase() as Lang;
    return { state, notes: [tr(state.lang, 'Switched to English.', '日本語に切り替えました。')], prompt: prompt(state, deps) };
  }

  const step = state.step;
  const notes: string[] = [];
  const risk = state.risks[state.cursor];
  const asked = prompt(prev, deps);
  const suggested = asked?.suggested;
  // A number picks from a single-choice list ("2" → provider); "ok" accepts the suggestion.
  const n = /^\d+$/.test(text) ? Number(text) : 0;
  const picked = asked?.choices && !asked.multi && step !== 'controls' && n >= 1 && n <= asked.choices.length ? asked.choices[n - 1]!.value : undefined;
  const value = picked ?? (parse.isOk(text) && suggested && step !== 'controls' && step !== 'risks' ? suggested : text);

  switch (step) {
    case 'service': {
      if (!value || value.length > 100) return again(tr(lang, 'Type the name of the cloud service (up to 100 characters).', 'クラウドサービス名を入力してください（100 文字以内）。'));
      chooseService(state, value, deps);
      break;
    }
    case 'role': {
      const r = parse.role(value);
      if (!r) return again(tr(lang, 'Answer customer, provider or both (or 1, 2, 3).', 'customer（カスタマ）、provider（プロバイダ）、both（両方）のいずれか（1〜3）で答えてください。'));
      state.scope.role = r;
      state.step = 'model';
      break;
    }
    case 'model': {
      const m = parse.model(value);
      if (!m) return again(tr(lang, 'Answer IaaS, PaaS or SaaS.', 'IaaS、PaaS、SaaS のいずれかで答えてください。'));
      state.scope.model = m;
      state.step = state.scope.role === 'customer' ? 'assets' : 'runsOn';
      break;
    }
    case 'runsOn': {
      const m = /^(?:yes|y|はい)\s+(.+)$/i.exec(value);
      if (/^(no|n|いいえ|なし)$/i.test(value)) state.scope.runsOn = null;
      else if (m) {
        state.scope.runsOn = m[1]!.trim();
        if (state.scope.role === 'provider') {
          state.scope.role = 'both';
          notes.push(tr(lang, `${state.scope.service} runs on ${state.scope.runsOn}, so both the provider and the customer role are in scope (JIP-ISMS517 4.1).`,
            `${state.scope.service} は ${state.scope.runsOn} 上で稼働しているため、プロバイダとカスタマの両方の役割が適用範囲に入ります（JIP-ISMS517 4.1）。`));
        }
      } else return again(tr(lang, 'Answer "no", or "yes" followed by the services it runs on (e.g. yes AWS).', '「いいえ」または「はい AWS」のように答えてください。'));
      state.step = 'assets';
      break;
    }
    case 'assets': {
      const a = parse.assets(value);
      if (!a) return again(tr(lang, 'Give each asset a classification after a colon, e.g. "customer records: confidential".', '各資産の後にコロンで分類を付けてください（例:「顧客データ: 機密」）。'));
      state.scope.assets = a;
      state.offered = offer(state, deps);
      state.step = 'risks';
      break;
    }
    case 'risks': {
      const r = selectRisks(state, value, deps);
      if (r.error) return again(r.error);
      if (!r.next) {
        state.answers.push({ step, user: input.user, at: input.at });
        state.updatedAt = input.at;
        return { state, notes: [riskList(state)], prompt: prompt(state, deps) };
      }
      state.cursor = 0;
      state.step = 'cia';
      break;
    }
    case 'cia':
    case 'owner':
    case 'likelihood':
    case 'impact': {
      const err = analyse(state, risk!, step, value, input);
      if (err) return again(err);
      if (state.step === 'treatment') {
        const score = risk!.likelihood! * risk!.impact!;
        notes.push(tr(lang, `${risk!.title}: likelihood ${risk!.likelihood} × impact ${risk!.impact} = ${score} (${levelOf(score, deps.riskLevels)}).`,
          `${risk!.title}: 起こりやすさ ${risk!.likelihood} × 影響 ${risk!.impact} = ${score}（${levelOf(score, deps.riskLevels)}）。`));
      }
      break;
    }
    case 'treatment': {
      const t = parse.treatment(value);
      if (!t) return again(tr(lang, 'Answer modify, retain, avoid or share.', 'modify（低減）、retain（保有）、avoid（回避）、share（共有）のいずれかで答えてください。'));
      risk!.treatment = t;
      const library = deps.catalog.risks.find((x) => x.id === risk!.libraryId)?.controls ?? [];
      const found = await deps.suggest(`${risk!.title} ${risk!.description ?? ''}`, state.scope.role ?? 'both');
      risk!.controls = [...new Set([...library, ...found.slice(0, library.length ? 2 : 4)])].filter((id) => relevant(deps.catalog.get(id), state));
      state.step = 'controls';
      break;
    }
    case 'controls': {
      const err = editControls(state, risk!, text, deps);
      if (err === 'again') {
        state.answers.push({ step, user: input.user, at: input.at });
        return { state, notes: [], prompt: prompt(state, deps) };
      }
      if (err) return again(err);
      if (state.cursor + 1 < state.risks.length) {
        state.cursor++;
        state.step = 'cia';
      } else {
        state.missed = missedControls(state, deps);
        state.step = state.missed.length ? 'missing' : 'review';
        if (state.step === 'review') notes.push(summary(state, deps));
      }
      break;
    }
    case 'missing': {
      const r = decideMissed(state, text, deps);
      if (r === 'next') {
        state.step = 'review';
        notes.push(summary(state, deps));
      } else if (r) return again(r);
      else {
        state.answers.push({ step, user: input.user, at: input.at });
        state.updatedAt = input.at;
        if (!openMissed(state).length) {
          state.step = 'review';
          notes.push(summary(state, deps));
        } else return { state, notes: [tr(lang, `Recorded. ${openMissed(state).length} still open.`, `記録しました。未決は残り ${openMissed(state).length} 件です。`)], prompt: prompt(state, deps) };
      }
      break;
    }
    case 'review': {
      const t = text.toLowerCase();
      if (t === 'approve' || t === '承認') {
        if (!deps.isApprover(input.user)) {
          return again(tr(lang, `Only approvers can approve; ${input.user} is not one. Type "submit" to send it to them. Nothing was written.`,
            `承認できるのは承認者だけです（${input.user} は承認者ではありません）。「submit」で提出してください。何も記録していません。`));
        }
        state.step = 'done';
        state.answers.push({ step, user: input.user, at: input.at });
        state.updatedAt = input.at;
        return { state, notes: [], commit: true };
      }
      if (t === 'submit' || t === '提出') {
        state.submittedBy = input.user;
        state.answers.push({ step, user: input.user, at: input.at });
        state.updatedAt = input.at;
        return { state, notes: [tr(lang, 'Submitted for approval.', '承認へ提出しました。')], prompt: prompt(state, deps), submitted: true };
      }
      return again(tr(lang, 'Type "submit", "approve" (approvers) or "cancel".', '「submit」「approve」（承認者）「キャンセル」のいずれかを入力してください。'));
    }
  }
  state.answers.push({ step, user: input.user, at: input.at });
  state.updatedAt = input.at;
  return { state, notes, prompt: prompt(state, deps) };
}

function relevant(e: CatalogEntry | undefined, state: AssessmentState): boolean {
  if (!e || e.kind === 'requirement') return false;
  return e.kind === 'control' || rolesOf(state.scope.role).some((r) => e.cloudGuidance[r]);
}

function selectRisks(state: AssessmentState, text: string, deps: FlowDeps): { error?: string; next?: boolean } {
  const { lang } = state;
  if (parse.isOk(text)) {
    if (!state.risks.length) return { error: tr(lang, 'Pick at least one risk, or add one with "+ title".', '少なくとも 1 つリスクを選ぶか、「+ タイトル」で追加してください。') };
    return { next: true };
  }
  const custom = /^\+\s*(.+)$/.exec(text);
  if (custom) {
    state.risks.push({ title: custom[1]!.trim().slice(0, 200), controls: [] });
    return {};
  }
  const picked: string[] = [];
  for (const item of parse.items(text.replace(/\s+/g, ','))) {
    const n = Number(item);
    const id = Number.isInteger(n) && n >= 1 && n <= state.offered.length ? state.offered[n - 1] : state.offered.find((x) => x.toLowerCase() === item.toLowerCase());
    if (!id) return { error: tr(lang, `"${item}" is not one of the listed scenarios (1–${state.offered.length} or RL-xx). Add your own with "+ title".`, `「${item}」は一覧にありません（1〜${state.offered.length} または RL-xx）。独自のリスクは「+ タイトル」で追加してください。`) };
    if (!picked.includes(id)) picked.push(id);
  }
  // The picked list replaces the library selection; risks typed by participants stay.
  const customs = state.risks.filter((r) => !r.libraryId);
  state.risks = [
    ...picked.map((id) => {
      const r = deps.catalog.risks.find((x) => x.id === id)!;
      const cia = `${r.cia.confidentiality ? 'C' : ''}${r.cia.integrity ? 'I' : ''}${r.cia.availability ? 'A' : ''}`;
      return { libraryId: id, title: r.title[lang], description: r.description[lang], cia, controls: [] } as DraftRisk;
    }),
    ...customs,
  ];
  return {};
}

function riskList(state: AssessmentState): string {
  const { lang } = state;
  if (!state.risks.length) return tr(lang, 'No risks selected yet.', 'まだリスクが選ばれていません。');
  return tr(lang, 'Selected risks:', '選択中のリスク:') + '\n' + state.risks.map((r, i) => `${i + 1}. ${r.libraryId ?? '+'} ${r.title}`).join('\n');
}

function analyse(state: AssessmentState, risk: DraftRisk, step: Step, value: string, input: AssessmentInput): string | undefined {
  const { lang } = state;
  if (input.fields) {
    // The analysis form answers all four questions at once; every problem is reported together.
    const f = input.fields;
    const problems: string[] = [];
    const cia = parse.cia(f.cia ?? '');
    const owner = parse.owner(f.owner ?? '');
    const likelihood = parse.score(f.likelihood ?? '');
    const impact = parse.score(f.impact ?? '');
    if (!cia) problems.push(tr(lang, 'CIA: pick at least one of C, I, A', 'CIA: C・I・A から 1 つ以上'));
    if (!owner) problems.push(tr(lang, 'owner: a risk owner is required', '所有者: リスク所有者は必須です'));
    if (!likelihood) problems.push(tr(lang, 'likelihood: 1 to 5', '起こりやすさ: 1〜5'));
    if (!impact) problems.push(tr(lang, 'impact: 1 to 5', '影響: 1〜5'));
    if (problems.length) return problems.join('; ');
    Object.assign(risk, { cia, owner, likelihood, impact });
    state.step = 'treatment';
    return undefined;
  }
  switch (step) {
    case 'cia': {
      const cia = parse.cia(value);
      if (!cia) return tr(lang, 'Type the letters of the affected properties: C, I and/or A (e.g. CI).', '影響する特性を C・I・A の文字で入力してください（例: CI）。');
      risk.cia = cia;
      break;
    }
    case 'owner': {
      const owner = parse.owner(value);
      if (!owner) return tr(lang, 'Every risk needs a risk owner (JIP-ISMS517 4.2.1): mention or name a person.', 'すべてのリスクにリスク所有者が必要です（JIP-ISMS517 4.2.1）。担当者をメンションするか名前を入力してください。');
      risk.owner = owner;
      break;
    }
    case 'likelihood':
    case 'impact': {
      const n = parse.score(value);
      if (!n) return tr(lang, `"${value}" is not a score: answer 1, 2, 3, 4 or 5.`, `「${value}」は評点ではありません。1〜5 で答えてください。`);
      risk[step] = n;
      break;
    }
  }
  state.step = analysisSteps[analysisSteps.indexOf(step) + 1] ?? 'treatment';
  return undefined;
}

/** "ok" accepts; "+ID" adds; "-ID" removes; a list replaces. Returns 'again' after an edit, an error, or undefined to move on. */
function editControls(state: AssessmentState, risk: DraftRisk, text: string, deps: FlowDeps): string | 'again' | undefined {
  const { lang } = state;
  if (parse.isOk(text)) {
    if (risk.treatment === 'modify' && !risk.controls.length) return tr(lang, 'Treatment "modify" needs at least one control: add one with "+12.3.1".', '「低減」には管理策が 1 つ以上必要です。「+12.3.1」のように追加してください。');
    return undefined;
  }
  const ops = parse.items(text.replace(/\s+(?=[+-])/g, ','));
  const replace = !ops.some((o) => /^[+-]/.test(o));
  const next = replace ? [] : [...risk.controls];
  for (const op of ops) {
    const sign = /^[+-]/.test(op) ? op[0] : '+';
    const r = deps.catalog.resolve(op.replace(/^[+-]\s*/, ''));
    if (!r.ok || r.entry.kind === 'requirement') {
      return tr(lang, `${r.ok ? `${r.id} is a requirement, not a control` : `no control "${op.replace(/^[+-]\s*/, '')}"`}. Did you mean ${r.ok ? '' : r.suggestions.join(', ')}?`,
        `${r.ok ? `${r.id} は要求事項で管理策ではありません` : `管理策「${op.replace(/^[+-]\s*/, '')}」はありません`}。${r.ok ? '' : `候補: ${r.suggestions.join(', ')}`}`);
    }
    const at = next.indexOf(r.id);
    if (sign === '-' && at >= 0) next.splice(at, 1);
    else if (sign === '+' && at < 0) next.push(r.id);
  }
  risk.controls = next;
  return 'again';
}

function decideMissed(state: AssessmentState, text: string, deps: FlowDeps): string | 'next' | undefined {
  const { lang } = state;
  if (parse.isOk(text) || /^(later|あとで)$/i.test(text)) return 'next';
  const m = /^(include|exclude|採用|除外)\s+([^\s]+)\s*(.*)$/i.exec(text);
  if (!m) return tr(lang, 'Type "include <IDs> [reason]", "exclude <ID> <justification>" or "next".', '「include <ID> [理由]」「exclude <ID> <除外理由>」「次へ」のいずれかを入力してください。');
  const include = /^(include|採用)$/i.test(m[1]!);
  const rest = m[3]!.trim();
  if (!include && !rest) return tr(lang, 'An exclusion needs its justification (JIP-ISMS517 4.2.2 d): exclude 11.1.1 <why>.', '除外には理由が必要です（JIP-ISMS517 4.2.2 d）: exclude 11.1.1 <理由>');
  const ids: string[] = [];
  for (const raw of parse.items(m[2]!)) {
    const typed = splitKey(raw);
    const r = deps.catalog.resolve(typed.id);
    // In the 2022 edition a 27017 line carries its role: "12.3.1@customer"; a bare ID picks its only missed line.
    const lines = r.ok ? state.missed.filter((k) => k === r.id || (splitKey(k).id === r.id && (!typed.role || splitKey(k).role === typed.role))) : [];
    if (lines.length > 1) {
      return tr(lang, `${r.ok ? r.id : raw} has a line per role: write ${lines.join(' or ')}.`, `${r.ok ? r.id : raw} は役割ごとに判断します: ${lines.join(' または ')} と入力してください。`);
    }
    if (!r.ok || !lines.length) {
      return tr(lang, `${r.ok ? r.id : `"${raw}"`} is not in the list of missed controls${r.ok ? '' : `; did you mean ${r.suggestions.join(', ')}`}.`,
        `${r.ok ? r.id : `「${raw}」`}は見落とし一覧にありません${r.ok ? '' : `（候補: ${r.suggestions.join(', ')}）`}。`);
    }
    ids.push(lines[0]!);
  }
  for (const id of ids) {
    state.decisions = state.decisions.filter((d) => d.controlId !== id);
    state.decisions.push(include ? { controlId: id, applicable: true, reason: rest || undefined } : { controlId: id, applicable: false, justification: rest });
  }
  return undefined;
}

/** The summary of risks, owners, levels, treatments and SoA changes, shown before approval and pinned in Slack. */
export function summary(state: AssessmentState, deps: FlowDeps): string {
  const { lang } = state;
  const s = state.scope;
  const lines = [
    tr(lang, `*Risk assessment ${state.id}* — ${s.service ?? '?'}`, `*リスクアセスメント ${state.id}* — ${s.service ?? '?'}`),
    tr(lang, `Role: ${s.role ?? '?'} · model: ${s.model ?? '?'}${s.runsOn ? ` · runs on ${s.runsOn}` : ''}`, `役割: ${s.role ?? '?'} · モデル: ${s.model ?? '?'}${s.runsOn ? ` · 基盤: ${s.runsOn}` : ''}`),
  ];
  if (s.assets.length) lines.push(tr(lang, 'Assets: ', '資産: ') + s.assets.map((a) => `${a.name} (${a.classification})`).join(', '));
  state.risks.forEach((r, i) => {
    const score = r.likelihood && r.impact ? r.likelihood * r.impact : undefined;
    lines.push(`${i + 1}. ${r.title} — ${tr(lang, 'owner', '所有者')} ${r.owner ?? '?'} · CIA ${r.cia ?? '?'} · ${score ? `${r.likelihood}×${r.impact}=${score} (${levelOf(score, deps.riskLevels)})` : '?'} · ${r.treatment ?? '?'}${r.controls.length ? ` → ${r.controls.join(', ')}` : ''}`);
  });
  const chosen = chosenLines(state, deps);
  if (chosen.length) lines.push(tr(lang, `SoA: ${chosen.length} controls applicable, linked to their risks`, `適用宣言書: ${chosen.length} 件の管理策を適用（リスクに紐付け）`));
  const reversed = chosen.filter((id) => deps.excluded.has(id));
  if (reversed.length) lines.push(tr(lang, `⚠ Reverses approved exclusions (becomes applicable): ${reversed.join(', ')}`, `⚠ 承認済みの除外を覆します（適用に変更）: ${reversed.join(', ')}`));
  const inc = state.decisions.filter((d) => d.applicable).map((d) => d.controlId);
  const exc = state.decisions.filter((d) => !d.applicable).map((d) => d.controlId);
  if (inc.length) lines.push(tr(lang, `Also included: ${inc.join(', ')}`, `追加で採用: ${inc.join(', ')}`));
  if (exc.length) lines.push(tr(lang, `Excluded with justification: ${exc.join(', ')}`, `理由付きで除外: ${exc.join(', ')}`));
  const open = state.step === 'missing' || state.step === 'review' || state.step === 'done' ? openMissed(state).length : 0;
  if (open) lines.push(tr(lang, `${open} relevant controls left undecided (see "soa missing")`, `未決の関連管理策: ${open} 件（soa missing で確認）`));
  lines.push(tr(lang, `Step: ${state.step}`, `ステップ: ${state.step}`));
  return lines.join('\n');
}

// Channel-neutral replies. The console renders them as text, Slack as Block Kit; the core never imports Bolt.
import type { Answer } from '../answer/engine.js';
import type { AssessmentReply } from '../assessment/session.js';
import type { Decision, SoaRow } from '../soa/index.js';
import type { Lang } from '../search/text.js';

export type Reply =
  /** An answer with citations; `ref` identifies it for 👍/👎 feedback. */
  | { type: 'answer'; lang: Lang; answer: Answer; ref: string }
  /** `mentions`: the text's <@U…> and <#C…> are Slack IDs the service checked, shown as mentions (else all is escaped). */
  | { type: 'text'; lang: Lang; text: string; mentions?: boolean }
  /** A user-caused problem: what is wrong and how to fix it. Slack shows it only to the user. */
  | { type: 'error'; lang: Lang; message: string; hint?: string; ref?: string }
  | { type: 'help'; lang: Lang }
  /** The SoA decision of one control: in force, pending, and (optionally) its history. */
  | { type: 'decision'; lang: Lang; row: SoaRow; history?: Decision[]; note?: string }
  /** A decision just recorded; `approvers` are told when it is a proposal. */
  | { type: 'recorded'; lang: Lang; decision: Decision; row: SoaRow; approvers: string[] }
  /** A proposal waiting for approval, shown to approvers with Approve / Reject. */
  | { type: 'proposal'; lang: Lang; decision: Decision; row: SoaRow }
  | { type: 'reviewed'; lang: Lang; decision: Decision; row: SoaRow }
  | { type: 'missing'; lang: Lang; rows: SoaRow[]; roles: string[] }
  /** Ask for the SoA form: Slack opens a modal, the console shows the typed form. */
  | { type: 'soa-form'; lang: Lang; controlId: string; row: SoaRow }
  | { type: 'file'; lang: Lang; path: string; filename: string; title: string }
  /** A step of a guided risk assessment: notes for the thread, then the next question. */
  | AssessmentReply;

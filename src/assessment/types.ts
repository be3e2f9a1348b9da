// The guided risk assessment (JIP-ISMS517 4.1, 4.2.1, 4.2.2) as data: its state, the inputs it takes and what it says.
import type { Lang } from '../search/text.js';

export type Step =
  | 'service' | 'role' | 'model' | 'runsOn' | 'assets'
  | 'risks'
  | 'cia' | 'owner' | 'likelihood' | 'impact'
  | 'treatment' | 'controls'
  | 'missing'
  | 'review'
  | 'done' | 'cancelled';

export type ScopeRole = 'customer' | 'provider' | 'both';
export type Model = 'IaaS' | 'PaaS' | 'SaaS';
export type Treatment = 'modify' | 'retain' | 'avoid' | 'share';

export interface DraftRisk {
  /** Risk-library scenario it came from (RL-05), or absent for one a participant typed. */
  libraryId?: string;
  title: string;
  description?: string;
  cia?: string;
  owner?: string;
  likelihood?: number;
  impact?: number;
  treatment?: Treatment;
  controls: string[];
}

/** A decision for a control that the missed-control check found. */
export interface MissedDecision {
  controlId: string;
  applicable: boolean;
  justification?: string;
  reason?: string;
}

export interface AssessmentState {
  version: 1;
  id: string;
  thread: string;
  startedBy: string;
  startedAt: string;
  updatedAt: string;
  lang: Lang;
  step: Step;
  scope: {
    service?: string;
    role?: ScopeRole;
    model?: Model;
    /** For a provider service: the cloud services it runs on (then both roles are in scope, JIP-ISMS517 4.1). */
    runsOn?: string | null;
    assets: { name: string; classification: string }[];
  };
  /** Library scenarios offered at the risks step, in the order shown. */
  offered: string[];
  risks: DraftRisk[];
  /** Index of the risk being analysed or treated. */
  cursor: number;
  /** Controls the missed-control check listed, and the decisions taken on them. */
  missed: string[];
  decisions: MissedDecision[];
  /** Who answered each step: several people can answer in one thread. */
  answers: { step: Step; user: string; at: string }[];
  submittedBy?: string;
  reminded?: boolean;
  /** Slack: the pinned summary message, updated as the assessment moves on. */
  summaryTs?: string;
}

/** What a participant sent: typed text, a button's value, or the fields of a form. */
export interface AssessmentInput {
  user: string;
  text: string;
  at: string;
  /** The risk-analysis form: all four answers at once. */
  fields?: { cia?: string; owner?: string; likelihood?: string; impact?: string };
}

export interface Choice {
  value: string;
  label: string;
}

/** A neutral question: the console shows numbered choices, Slack shows buttons, a multi-select or a user picker. */
export interface Prompt {
  text: string;
  choices?: Choice[];
  multi?: boolean;
  /** Pick a person (the risk owner). */
  user?: boolean;
  /** Offer the risk-analysis form (Slack modal). */
  analysisForm?: boolean;
  /** Shown as the default: "ok" accepts it. */
  suggested?: string;
}

export interface StepResult {
  state: AssessmentState;
  /** Messages for everyone in the thread, then the next question (absent when the assessment ended). */
  notes: string[];
  prompt?: Prompt;
  /** A bad input: the hint, and the step is asked again. */
  error?: string;
  /** Set when an approver approved: the plan to write in one transaction. */
  commit?: boolean;
  /** Set when submitted for approval: approvers to tell. */
  submitted?: boolean;
}

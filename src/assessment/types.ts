// The guided risk assessment (JIP-ISMS517 4.1, 4.2.1, 4.2.2) as data: its state, the inputs it takes and what it says.
import type { Lang } from '../search/text.js';

export type Step =
  | 'service' | 'role' | 'model' | 'runsOn' | 'assets'
  | 'risks'
  /** One risk at a time: the suggested analysis and treatment, accepted with one word or changed. */
  | 'risk'
  | 'missing'
  | 'review'
  | 'done' | 'cancelled';

export type ActiveStep = Exclude<Step, 'done' | 'cancelled'>;
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
  /** Set once the controls were proposed (library + retrieval), so they are proposed once. */
  proposed?: boolean;
}

/** A decision for a line that the missed-control check found. */
export interface MissedDecision {
  controlId: string;
  applicable: boolean;
  justification?: string;
  reason?: string;
  /** The group it was decided with ("apply 1"), absent for a single decision. */
  group?: number;
}

export interface AssessmentState {
  version: 2;
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
    /** The service came from the profile: its role, model and platform are offered together. */
    fromProfile?: boolean;
    /** "yes" was answered on the runs-on step without a name: the next answer names the service. */
    askWhich?: boolean;
  };
  /** Library scenarios in ranked order (best fit first). */
  offered: string[];
  /** The ranked list beyond the top 8 was asked for ("more"). */
  showAll?: boolean;
  risks: DraftRisk[];
  /** Index of the risk being analysed. */
  cursor: number;
  /** Lines the missed-control check listed, and the decisions taken on them. */
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
  /** Came from a person picker: it sets the owner and the step waits for "ok" or other changes. */
  picked?: 'owner';
  /** The risk-analysis form: all answers for one risk at once. */
  fields?: { cia?: string; owner?: string; likelihood?: string; impact?: string; treatment?: string };
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
  /** One-click answers shown beside the choices (Slack buttons): "more", "apply 1", "retain". */
  buttons?: Choice[];
}

export interface StepResult {
  state: AssessmentState;
  /** Messages for everyone in the thread, then the next question (absent when the assessment ended). */
  notes: string[];
  prompt?: Prompt;
  /** A bad input: what was not understood and a suggestion; the step stays. */
  error?: string;
  /** Set when an approver approved: the plan to write in one transaction. */
  commit?: boolean;
  /** Set when submitted for approval: approvers to tell. */
  submitted?: boolean;
  /** The full detail behind the summary (every risk and SoA line), for a thread reply or "details". */
  details?: string;
}

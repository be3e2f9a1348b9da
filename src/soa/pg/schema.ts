// The PostgreSQL schema, as versioned steps like the SQLite one (src/soa/db.ts). Never edit a shipped step: add one.
// Every record carries its workspace (a Slack team or enterprise ID; '' in single-workspace mode), and each workspace
// has its own audit chain (seq from 1 per workspace). Tables are owned by the admin role that migrates; the
// application's role may only SELECT and INSERT the append-only ones (see grants in db.ts), so an UPDATE or DELETE
// through the application's connection is refused by PostgreSQL itself.
//
// Workspace isolation (step 2) is row-level security: every per-workspace table's workspace column defaults to
// current_setting('app.workspace'), which workspaceTransaction() (db.ts) sets for each transaction, and a policy lets
// the application's role see, insert, change and delete only the rows of that workspace. The application's SQL never
// names a workspace. RLS is ENABLEd (step 2) and FORCEd (step 3): even the tables' owner sees one workspace; superusers still read every
// workspace. On a connection that never ran a workspace transaction the application's role sees no row of these
// tables, and its INSERT fails (app.workspace unset: error 42704 from the default). Caution: after a transaction-local
// set_config, PostgreSQL leaves app.workspace as '' (not unset) on that connection, and '' is the single-workspace
// mode's workspace; so every statement on these tables must run in workspaceTransaction().

/** Append-only tables: the application's role gets SELECT and INSERT on them, nothing else. */
export const appendOnlyTables = [
  'decisions', 'reviews', 'audit_log', 'profile', 'services', 'risks', 'internal_audits', 'readiness_snapshots', 'soa_editions', 'soa_publications',
] as const;

/**
 * Claimed once, finished once (as in SQLite): the application's role may SELECT and INSERT, and UPDATE only these
 * columns; a trigger refuses a second finish and any change of the claim. No DELETE.
 */
export const finishOnceTables = { digest_runs: ['posted_at', 'channel', 'message_ts', 'error'] } as const;

/**
 * Conversation state (src/chat/pg-state.ts), not records: the application's role may SELECT, INSERT, UPDATE and
 * DELETE them (they are upserted and pruned). Per workspace, under row-level security.
 */
export const chatTables = ['turns', 'feedback', 'thread_langs', 'answers', 'assessments', 'assistant_threads'] as const;

/**
 * Conversation state shared by every workspace of the deployment, without a workspace column or row-level security:
 * Slack event IDs and request signatures are unique across workspaces, and their dedupe runs before the workspace of a
 * request is known (events, requests: SELECT, INSERT, UPDATE, DELETE). A secret belongs to the deployment and is
 * created once, never changed (secrets: SELECT, INSERT).
 */
export const globalChatTables = {
  events: 'SELECT, INSERT, UPDATE, DELETE', requests: 'SELECT, INSERT, UPDATE, DELETE', secrets: 'SELECT, INSERT',
  // Step 4: the Slack installations (src/slack/installations.ts), one per workspace, replaced on reinstall.
  slack_installations: 'SELECT, INSERT, UPDATE, DELETE',
} as const;

/** Every table with a workspace column under row-level security (the policy `<table>_workspace`). */
export const workspaceTables = [...appendOnlyTables, ...Object.keys(finishOnceTables) as (keyof typeof finishOnceTables)[], ...chatTables];

/** The workspace column of a step-2 table: filled from the transaction's app.workspace (no default outside one). */
const workspace = "workspace text NOT NULL DEFAULT current_setting('app.workspace')";

/** Row-level security on a table: the application's role sees and writes the rows of its transaction's workspace only. */
const isolated = (table: string) => `
ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY;
CREATE POLICY ${table}_workspace ON ${table}
  USING (workspace = current_setting('app.workspace', true))
  WITH CHECK (workspace = current_setting('app.workspace', true));`;

/** An SQLite GLOB of a date or a week, as an anchored regular expression. */
const isoDate = "'^[0-9]{4}-[0-9]{2}-[0-9]{2}$'";

export const pgMigrations: string[] = [
  // 1: SoA decisions and their reviews (the columns of SQLite's schema steps 1, 2 and 6), and the audit chain.
  `
CREATE TABLE decisions (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace text NOT NULL,
  control_id text NOT NULL,
  applicable integer NOT NULL CHECK (applicable IN (0, 1)),
  reasons text NOT NULL,
  status text NOT NULL CHECK (status IN ('implemented', 'partial', 'planned', 'not-implemented')),
  justification text,
  owner text,
  evidence text NOT NULL,
  proposed_by text NOT NULL,
  proposed_at text NOT NULL,
  source text NOT NULL,
  proposed_by_name text,
  owner_name text,
  CHECK (applicable = 1 OR length(trim(coalesce(justification, ''))) > 0)
);
CREATE INDEX decisions_by_control ON decisions (workspace, control_id, id);
CREATE TABLE reviews (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace text NOT NULL,
  decision_id integer NOT NULL UNIQUE REFERENCES decisions (id),
  verdict text NOT NULL CHECK (verdict IN ('approved', 'rejected')),
  reviewed_by text NOT NULL,
  reviewed_at text NOT NULL,
  reason text,
  reviewed_by_name text
);
CREATE TABLE audit_log (
  workspace text NOT NULL,
  seq integer NOT NULL CHECK (seq >= 1),
  at text NOT NULL,
  actor text NOT NULL,
  action text NOT NULL,
  subject text NOT NULL,
  data text NOT NULL,
  prev_hash text NOT NULL,
  hash text NOT NULL,
  PRIMARY KEY (workspace, seq)
);
`,
  // 2: workspace isolation by row-level security, and every other table of the SQLite store (its schema steps 1 to 6,
  // final shape: the same columns in the same order, workspace second or first) and of the chat state. Identity IDs
  // (a row is inserted without one and read back with RETURNING *); a per-store UNIQUE of SQLite is per workspace here;
  // a foreign key names the workspace too, so that a row never refers to another workspace's row (a foreign key check
  // bypasses row-level security). Text compared in a CHECK uses the "C" collation: SQLite compares bytes.
  `
ALTER TABLE decisions ALTER COLUMN workspace SET DEFAULT current_setting('app.workspace');
ALTER TABLE reviews ALTER COLUMN workspace SET DEFAULT current_setting('app.workspace');
ALTER TABLE audit_log ALTER COLUMN workspace SET DEFAULT current_setting('app.workspace');
ALTER TABLE decisions ADD CONSTRAINT decisions_workspace_id UNIQUE (workspace, id);
ALTER TABLE reviews ADD CONSTRAINT reviews_decision_in_workspace FOREIGN KEY (workspace, decision_id) REFERENCES decisions (workspace, id);
${['decisions', 'reviews', 'audit_log'].map(isolated).join('\n')}

CREATE TABLE profile (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  ${workspace},
  scope text NOT NULL CHECK (length(trim(scope)) > 0),
  set_by text NOT NULL,
  set_at text NOT NULL,
  source text NOT NULL,
  UNIQUE (workspace, id)
);
CREATE TABLE services (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  ${workspace},
  profile_id integer NOT NULL,
  name text NOT NULL,
  role text NOT NULL CHECK (role IN ('customer', 'provider', 'both')),
  model text NOT NULL CHECK (model IN ('IaaS', 'PaaS', 'SaaS')),
  on_other_cloud integer NOT NULL CHECK (on_other_cloud IN (0, 1)),
  runs_on text,
  UNIQUE (workspace, profile_id, name),
  FOREIGN KEY (workspace, profile_id) REFERENCES profile (workspace, id)
);
CREATE TABLE risks (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  ${workspace},
  risk_id text NOT NULL CHECK (risk_id ~ '^R-[1-9]'),
  title text NOT NULL,
  description text,
  service text,
  asset text,
  confidentiality integer NOT NULL CHECK (confidentiality IN (0, 1)),
  integrity integer NOT NULL CHECK (integrity IN (0, 1)),
  availability integer NOT NULL CHECK (availability IN (0, 1)),
  threat text,
  vulnerability text,
  owner text NOT NULL CHECK (length(trim(owner)) > 0),
  likelihood integer NOT NULL CHECK (likelihood BETWEEN 1 AND 5),
  impact integer NOT NULL CHECK (impact BETWEEN 1 AND 5),
  score integer NOT NULL CHECK (score = likelihood * impact),
  treatment text CHECK (treatment IN ('modify', 'retain', 'avoid', 'share')),
  controls text NOT NULL,
  residual integer CHECK (residual BETWEEN 1 AND 25),
  status text NOT NULL CHECK (status IN ('open', 'treating', 'accepted', 'closed')),
  next_review text,
  source text NOT NULL,
  recorded_by text NOT NULL,
  recorded_at text NOT NULL,
  recorded_by_name text,
  owner_name text
);
CREATE INDEX risks_by_risk_id ON risks (workspace, risk_id, id);
CREATE TABLE internal_audits (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  ${workspace},
  audit_date text NOT NULL CHECK (audit_date ~ ${isoDate}),
  scope text,
  auditor text NOT NULL CHECK (length(trim(auditor)) > 0),
  result text,
  next_due text NOT NULL CHECK (next_due ~ ${isoDate} AND next_due > audit_date COLLATE "C"),
  recorded_by text NOT NULL,
  recorded_at text NOT NULL,
  source text NOT NULL
);
CREATE TABLE readiness_snapshots (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  ${workspace},
  week text NOT NULL CHECK (week ~ '^[0-9]{4}-W[0-9]{2}$'),
  score integer NOT NULL CHECK (score BETWEEN 0 AND 100),
  metrics text NOT NULL,
  taken_at text NOT NULL
);
CREATE INDEX readiness_snapshots_by_week ON readiness_snapshots (workspace, week, id);
CREATE TABLE digest_runs (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  ${workspace},
  scheduled_for text NOT NULL,
  started_at text NOT NULL,
  process text NOT NULL,
  posted_at text,
  channel text,
  message_ts text,
  error text,
  UNIQUE (workspace, scheduled_for)
);
CREATE FUNCTION digest_runs_finish_once() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.posted_at IS NOT NULL OR OLD.error IS NOT NULL OR NEW.id IS DISTINCT FROM OLD.id OR NEW.workspace IS DISTINCT FROM OLD.workspace
    OR NEW.scheduled_for IS DISTINCT FROM OLD.scheduled_for OR NEW.started_at IS DISTINCT FROM OLD.started_at OR NEW.process IS DISTINCT FROM OLD.process THEN
    RAISE EXCEPTION 'a digest run is finished once and its claim never changes' USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER digest_runs_finish_once BEFORE UPDATE ON digest_runs FOR EACH ROW EXECUTE FUNCTION digest_runs_finish_once();
CREATE TABLE soa_editions (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  ${workspace},
  edition text NOT NULL CHECK (edition IN ('2013', '2022')),
  set_by text NOT NULL,
  set_at text NOT NULL,
  source text NOT NULL,
  note text
);
CREATE TABLE soa_publications (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  ${workspace},
  version integer NOT NULL CHECK (version >= 1),
  edition text NOT NULL CHECK (edition IN ('2013', '2022')),
  roles text NOT NULL,
  decisions text NOT NULL,
  changes text NOT NULL,
  last_decision integer,
  published_by text NOT NULL CHECK (length(trim(published_by)) > 0),
  published_at text NOT NULL,
  note text,
  source text NOT NULL,
  published_by_name text,
  UNIQUE (workspace, version)
);
${['profile', 'services', 'risks', 'internal_audits', 'readiness_snapshots', 'digest_runs', 'soa_editions', 'soa_publications'].map(isolated).join('\n')}

CREATE TABLE turns (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  ${workspace},
  thread text NOT NULL,
  role text NOT NULL CHECK (role IN ('user', 'assistant')),
  text text NOT NULL,
  at text NOT NULL
);
CREATE INDEX turns_by_thread ON turns (workspace, thread, id);
CREATE INDEX turns_by_at ON turns (workspace, at);
CREATE TABLE feedback (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  ${workspace},
  answer_ref text NOT NULL,
  "user" text NOT NULL,
  vote text NOT NULL CHECK (vote IN ('up', 'down')),
  question text,
  citations text,
  at text NOT NULL,
  UNIQUE (workspace, answer_ref, "user")
);
CREATE TABLE events (
  event_id text PRIMARY KEY,
  at text NOT NULL
);
CREATE INDEX events_by_at ON events (at);
CREATE TABLE thread_langs (
  ${workspace},
  thread text NOT NULL,
  lang text NOT NULL CHECK (lang IN ('ja', 'en')),
  at text NOT NULL,
  PRIMARY KEY (workspace, thread)
);
CREATE TABLE answers (
  ${workspace},
  ref text NOT NULL,
  thread text NOT NULL,
  question text NOT NULL,
  citations text NOT NULL,
  at text NOT NULL,
  PRIMARY KEY (workspace, ref)
);
CREATE TABLE assessments (
  ${workspace},
  thread text NOT NULL,
  state text NOT NULL,
  updated_at text NOT NULL,
  PRIMARY KEY (workspace, thread)
);
CREATE TABLE requests (
  signature text PRIMARY KEY,
  ts bigint NOT NULL
);
CREATE TABLE assistant_threads (
  ${workspace},
  thread text NOT NULL,
  context text NOT NULL,
  at text NOT NULL,
  PRIMARY KEY (workspace, thread)
);
CREATE TABLE secrets (
  name text PRIMARY KEY,
  value bytea NOT NULL
);
${['turns', 'feedback', 'thread_langs', 'answers', 'assessments', 'assistant_threads'].map(isolated).join('\n')}
`,
  // 3: row-level security FORCEd, so that it holds for the tables' owner too: when DATABASE_ADMIN_URL is not set, the
  // application's own role migrates and owns the tables, and must still see one workspace only. Superusers (the
  // tests' admin connection, a DBA) still read every workspace.
  `
${workspaceTables.map((t) => `ALTER TABLE ${t} FORCE ROW LEVEL SECURITY;`).join('\n')}
`,
  // 4: several Slack workspaces (OAuth): their installations (bot token encrypted, key derived from
  // SLACK_STATE_SECRET), and an index for the latest setting of a workspace (src/soa/settings.ts).
  `
CREATE TABLE slack_installations (
  workspace text PRIMARY KEY,
  team_id text,
  enterprise_id text,
  is_enterprise_install boolean NOT NULL,
  installation text NOT NULL,
  installed_by text,
  installed_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_action ON audit_log (workspace, action, seq);
`,
];

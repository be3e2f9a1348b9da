// The PostgreSQL schema, as versioned steps like the SQLite one (src/soa/db.ts). Never edit a shipped step: add one.
// Every record carries its workspace (a Slack team or enterprise ID; '' in single-workspace mode), and each workspace
// has its own audit chain (seq from 1 per workspace). Tables are owned by the admin role that migrates; the
// application's role may only SELECT and INSERT the append-only ones (see grants in db.ts), so an UPDATE or DELETE
// through the application's connection is refused by PostgreSQL itself.

/** Append-only tables: the application's role gets SELECT and INSERT on them, nothing else. */
export const appendOnlyTables = ['decisions', 'reviews', 'audit_log'] as const;

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
];

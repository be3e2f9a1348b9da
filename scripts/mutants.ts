// The defects the mutation check (scripts/mutation.ts) puts into the code, one at a time, and the tests that should
// notice each. `find` must occur exactly once in `file`; when the code moves on, update the string here.
// Left out as equivalent (no test can notice): removing the bot's own-message check in listeners/events.ts, because
// Bolt's ignoreSelf middleware drops those events first.

export interface Mutant {
  id: string;
  file: string;
  find: string;
  replace: string;
  /** Further replacements in the same file, applied with the first (one defect that needs two edits). */
  also?: { find: string; replace: string }[];
  /** What the defect would let through. */
  what: string;
  /** Test files to run (fast ones: the check runs them once per mutant). */
  tests: string[];
}

const audit = ['test/soa-audit.test.ts', 'test/audit-tamper.test.ts'];
const store = ['test/soa-store.test.ts', 'test/soa-rules.test.ts'];
const answers = ['test/citations.test.ts', 'test/answer-2022.test.ts', 'test/injection.test.ts'];

export const mutants: Mutant[] = [
  // The audit chain (src/soa/audit.ts).
  {
    id: 'audit-prev-link', file: 'src/soa/audit.ts', what: 'verify() no longer checks that an entry links to the one before',
    find: 'if (raw.prev_hash !== prev) return broken(', replace: 'if (false) return broken(', tests: audit,
  },
  {
    id: 'audit-duplicate-row', file: 'src/soa/audit.ts', what: 'verify() accepts a row recorded twice',
    find: 'if (seen.has(key)) return broken(', replace: 'if (false) return broken(', tests: audit,
  },
  {
    // Both ways a row is hashed leave the column out: from the values an INSERT bound (append) and from the row read
    // back (verify), so the chain stays consistent and only a changed owner goes unnoticed.
    id: 'audit-rowhash-owner', file: 'src/soa/audit.ts', what: 'a row hash leaves out the owner column',
    find: "return sha256(canonical(table === 'profile' ? { ...row, services } : row));",
    replace: "return sha256(canonical(table === 'profile' ? { ...row, services } : { ...row, owner: null }));",
    also: [{ find: 'this.columns[t] = info.map((c) => c.name).sort()', replace: "this.columns[t] = info.map((c) => c.name).filter((n) => n !== 'owner').sort()" }], tests: audit,
  },
  {
    id: 'audit-rowhash-services', file: 'src/soa/audit.ts', what: 'a profile row is hashed without its services',
    find: "return sha256(canonical(table === 'profile' ? { ...row, services } : row));", replace: 'return sha256(canonical(row));', tests: audit,
  },
  {
    id: 'audit-entryhash-actor', file: 'src/soa/audit.ts', what: 'an entry hash leaves out who acted',
    find: 'seq: e.seq, at: e.at, actor: e.actor, action: e.action', replace: 'seq: e.seq, at: e.at, action: e.action', tests: audit,
  },
  {
    id: 'audit-missing-entry', file: 'src/soa/audit.ts', what: 'verify() does not notice an entry removed from the middle',
    find: 'if (raw.seq !== expected) return broken(', replace: 'if (false) return broken(', tests: audit,
  },
  {
    id: 'audit-unlogged-row', file: 'src/soa/audit.ts', what: 'verify() accepts a row written around the store (no entry)',
    find: 'if (!seen.has(`${table}:${id}`)) return broken(', replace: 'if (false) return broken(', tests: audit,
  },
  {
    id: 'audit-canonical-order', file: 'src/soa/audit.ts', what: 'canonical JSON keeps the keys in insertion order',
    find: '.filter((k) => (value as Row)[k] != null).sort();', replace: '.filter((k) => (value as Row)[k] != null);', tests: audit,
  },
  {
    id: 'audit-canonical-nulls', file: 'src/soa/audit.ts', what: 'canonical JSON keeps null fields (a new nullable column breaks old hashes)',
    find: '.filter((k) => (value as Row)[k] != null).sort();', replace: '.sort();', tests: [...audit, 'test/audit-verify.test.ts', 'test/soa-migrations.test.ts'],
  },
  // SoA decisions (src/soa/decisions.ts).
  {
    id: 'soa-approver-only', file: 'src/soa/decisions.ts', what: 'anyone may approve or reject a proposal',
    find: 'if (!this.isApprover(who)) {', replace: 'if (false) {', tests: store,
  },
  {
    id: 'soa-stale-version', file: 'src/soa/decisions.ts', what: 'approving version N approves a newer proposal N+1',
    find: 'if (version !== undefined && pending.version !== version) {', replace: 'if (false) {', tests: store,
  },
  {
    id: 'soa-self-approval-review', file: 'src/soa/decisions.ts', what: "an approver's own decision is left as a proposal",
    find: "if (approved) this.addReview(id, control, 'approved', by", replace: "if (false) this.addReview(id, control, 'approved', by", tests: store,
  },
  {
    id: 'soa-exclusion-justification', file: 'src/soa/decisions.ts', what: 'a control is excluded without a justification',
    find: 'if (applicable === false && !justification) {', replace: 'if (false) {', tests: store,
  },
  {
    id: 'soa-excluded-implemented', file: 'src/soa/decisions.ts', what: 'an excluded control may be "implemented"',
    find: "if (applicable === false && status === 'implemented') {", replace: 'if (false) {', tests: store,
  },
  {
    id: 'soa-reason-risk-exists', file: 'src/soa/decisions.ts', what: 'a reason may name a risk that is not in the register',
    find: 'if (!id || !this.risks.get(id)) {', replace: 'if (!id) {', tests: store,
  },
  // Risks, profile, internal audits, publications, the edition move.
  {
    id: 'risk-level-bounds', file: 'src/soa/risks.ts', what: 'a score on a level boundary gets no level',
    find: 'score >= l.min && score <= l.max', replace: 'score > l.min && score <= l.max', tests: store,
  },
  {
    id: 'risk-modify-needs-controls', file: 'src/soa/risks.ts', what: 'treatment "modify" without controls',
    find: "if (treatment === 'modify' && !controls.length", replace: "if (false && treatment === 'modify' && !controls.length", tests: store,
  },
  {
    id: 'profile-runs-on-customer', file: 'src/soa/profile.ts', what: 'a SaaS that runs on IaaS does not make us a cloud customer too',
    find: "if (s.runsOn) roles.add('customer');", replace: '', tests: store,
  },
  {
    id: 'profile-nothing-changed', file: 'src/soa/profile.ts', what: 'an unchanged profile is written again',
    find: 'if (current && scope === current.scope', replace: 'if (false && scope === current?.scope', tests: store,
  },
  {
    id: 'internal-audit-future', file: 'src/soa/internal-audits.ts', what: 'an internal audit dated in the future is recorded',
    find: 'date > latest) issues.add(', replace: 'date > \'9999\') issues.add(', tests: store,
  },
  {
    id: 'internal-audit-next-due', file: 'src/soa/internal-audits.ts', what: 'the next audit may be due on the day of this one',
    find: 'nextDue <= date) issues.add(', replace: 'nextDue < date) issues.add(', tests: store,
  },
  {
    id: 'publish-approver-only', file: 'src/soa/publications.ts', what: 'anyone may publish the SoA',
    find: 'if (!this.soa.isApprover(by)) {', replace: 'if (false) {', tests: ['test/soa-publish.test.ts'],
  },
  {
    id: 'publish-nothing-changed', file: 'src/soa/publications.ts', what: 'a version is published with no change',
    find: 'if (prev && !changes.length && prev.edition === edition) {', replace: 'if (false) {', tests: ['test/soa-publish.test.ts'],
  },
  {
    id: 'transition-twice', file: 'src/soa/transition.ts', what: 'the move to 2022 runs again on a 2022 SoA',
    find: "if (edition.edition === '2022') {", replace: 'if (false) {', tests: store,
  },
  // The LLM citation check (src/answer/citations.ts).
  {
    id: 'citations-allowed', file: 'src/answer/citations.ts', what: 'an ID outside the retrieved context stays cited',
    find: 'if (allowed.has(id)) {', replace: 'if (id) {', tests: answers,
  },
  {
    id: 'citations-loose-2022', file: 'src/answer/citations.ts', what: 'a bare number such as "version 5.1" is removed as a citation',
    find: "if (loose && !/^\\[|^A\\./.test(m)) return m;", replace: '', tests: answers,
  },
  {
    id: 'citations-labels', file: 'src/answer/citations.ts', what: "a 2013 control's 2022 label is removed from the text",
    find: 'if (labels.has(id)) return m;', replace: '', tests: answers,
  },
  {
    id: 'citations-leftovers', file: 'src/answer/citations.ts', what: 'empty brackets are left where an ID was removed',
    find: ".replace(empty, '')", replace: '', tests: answers,
  },
  // The Slack approval button (ChatService.reviewButton) and the Slack event listeners.
  {
    id: 'slack-stale-button', file: 'src/chat/service.ts', what: 'an old DM button approves a newer proposal nobody has seen',
    find: 'if (!control || !pending || pending.id !== decision) {', replace: 'if (!control || !pending) {', tests: ['test/slack-approval.test.ts'],
  },
  {
    id: 'slack-retry-dedupe', file: 'src/chat/state.ts', what: 'a retried Slack delivery is answered again',
    find: 'return r.changes === 1;', replace: 'return true;', tests: ['test/slack-e2e.test.ts'],
  },
  {
    id: 'slack-other-bots', file: 'src/slack/listeners/events.ts', what: 'the bot answers other bots (ALLOW_BOTS off)',
    find: "if ((ev.bot_id || ev.subtype === 'bot_message') && !deps.allowBots) return;", replace: '', tests: ['test/slack-e2e.test.ts'],
  },
];

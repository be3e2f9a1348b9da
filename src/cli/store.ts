// soa, risk, profile, audit and db commands: the CLI face of the SoA and risk-register store (src/soa).
import { extname } from 'node:path';
import type { AppContext } from '../app.js';
import type { Catalog, CatalogEntry } from '../catalog/catalog.js';
import { Issues } from '../soa/errors.js';
import { controlFlags, decisionLines, profileLines, riskLines } from '../soa/format.js';
import { exportFormats, openStore, storeFile, StoreError, verifyFile, type Decision, type ExportFormat, type RiskInput, type SoaRow, type Store } from '../soa/index.js';
import { parseService } from '../soa/profile.js';
import { oneOf, parse, UserError, type Out } from './args.js';

export const storeCommandNames: string[] = ['soa', 'risk', 'profile', 'audit', 'db'];

export const storeHelp = `  soa set <controlId> --applicable yes|no --status implemented|partial|planned|not-implemented --by NAME
      [--justification "..."] [--reason risk:R-3|legal:..|contractual:..|business:..]... [--owner NAME]
      [--evidence REF]... [--source URL] [--json]           record a decision (proposed unless --by is an approver)
  soa show <controlId> [--json] [--history]                 current decision, pending proposal and history
  soa list [--json]                                         the 121 SoA controls with their decisions
  soa missing [--json]                                      relevant controls with no approved decision (4.2.2 c)
  soa approve <controlId> --by NAME [--version N]           approve the pending proposal you read (ISMS_APPROVERS only)
  soa reject <controlId> --by NAME [--reason "..."]         reject the pending proposal
  soa export --format xlsx|csv|md --out FILE                the 適用宣言書 (SoA) for auditors
  risk add --title T --owner NAME --likelihood 1-5 --impact 1-5 --cia C|I|A.. [--description D] [--service S]
      [--asset A] [--threat T] [--vulnerability V] [--treatment modify|retain|avoid|share] [--control ID]...
      [--residual 1-25] [--status open|treating|accepted|closed] [--review YYYY-MM-DD] [--by NAME] [--source URL]
                                                            register a risk (4.2.1); --owner is required
  risk update <riskId> [the risk add flags]                 record a new version of a risk
  risk list [--json] | risk show <riskId> [--json] [--history]
                                                            the risk register
  profile set --scope "..." --service "name=N,role=customer|provider|both,model=IaaS|PaaS|SaaS[,runs-on=X]"... --by NAME
                                                            the ISMS scope and its cloud services (4.1)
  profile show [--json]                                     scope, cloud services and the roles in scope (4.1)
  audit verify [--json] [--expect-head HASH]                 check the hash chain and every recorded row (read-only)
  audit log [--limit N] [--json]                            the latest audit entries
  audit record --date YYYY-MM-DD --auditor NAME --by NAME [--scope "..."] [--result "..."] [--next YYYY-MM-DD] [--json]
                                                            record an internal audit (4.3); --next defaults to
                                                            the date + ISMS_AUDIT_INTERVAL_MONTHS (12)
  audit list [--json]                                       the internal audits recorded, oldest first
  db backup <file>                                          online backup of isms.sqlite (safe while the bot runs)`;

const usage = {
  soa: 'soa set|show|list|missing|approve|reject|export ... (see "help")',
  risk: 'risk add|update|list|show ... (see "help")',
  profile: 'profile set --scope "..." --service "name=..,role=..,model=.." --by NAME | profile show [--json]',
  audit: 'audit verify | audit log [--limit N] [--json] | audit record --date YYYY-MM-DD --auditor NAME --by NAME [--scope ..] [--result ..] [--next YYYY-MM-DD] | audit list [--json]',
  db: 'db backup <file>',
};

const str = { type: 'string' } as const;
const many = { type: 'string', multiple: true } as const;
const flag = { type: 'boolean' } as const;
const riskFlags = {
  title: str, description: str, service: str, asset: str, cia: str, threat: str, vulnerability: str, owner: str, likelihood: str,
  impact: str, treatment: str, control: many, residual: str, status: str, review: str, by: str, source: str, json: flag,
};

export async function storeCommand(ctx: AppContext, command: string, argv: string[], out: Out): Promise<void> {
  let store: Store | undefined;
  try {
    if (command === 'audit' && argv[0] === 'verify') return verifyCommand(storeFile(ctx.config), argv.slice(1), out);
    store = openStore(ctx.config, ctx.catalog);
    const [sub, ...rest] = argv;
    const json = (v: unknown) => out(JSON.stringify(v, null, 2));
    const run = { soa: soaCommand, risk: riskCommand, profile: profileCommand, audit: auditCommand, db: dbCommand }[command as keyof typeof usage];
    if (!run) throw new UserError(`unknown command "${command}"`, 2);
    await run({ store, catalog: ctx.catalog, out, json }, sub, rest);
  } catch (e) {
    if (e instanceof StoreError) throw new UserError(e.message, 1);
    throw e;
  } finally {
    store?.close();
  }
}

interface Cmd { store: Store; catalog: Catalog; out: Out; json: (v: unknown) => void }

function title(e: CatalogEntry): string {
  return `${e.id} ${e.title.ja} / ${e.title.en}`;
}

function controlArg(positionals: string[], sub: string): string {
  const id = positionals[0];
  if (!id) throw new UserError(`soa ${sub} needs a control ID, e.g. soa ${sub} 12.3.1\nUsage: ${usage.soa}`, 2);
  return id;
}

function rowJson(r: SoaRow) {
  const e = r.entry;
  return {
    id: e.id, kind: e.kind, title: e.title, cloudGuidance: e.cloudGuidance, extended27017: e.extended,
    iso27001_2022: e.iso27001_2022, relevant: r.relevant, current: r.current, pending: r.pending,
  };
}

async function soaCommand({ store, catalog, out, json }: Cmd, sub: string | undefined, argv: string[]): Promise<void> {
  const { values: v, positionals } = parse(argv, {
    applicable: str, status: str, justification: str, reason: many, owner: str, evidence: many, by: str, source: str,
    json: flag, history: flag, format: str, out: str, version: str,
  }, usage.soa);
  const version = v.version === undefined ? undefined : Number(v.version);
  if (version !== undefined && (!Number.isInteger(version) || version < 1)) throw new UserError(`--version must be a decision version number such as 2 (got "${v.version}")`, 2);
  const printDecision = (d: Decision) => {
    if (v.json) return json(d);
    out(title(catalog.get(d.controlId)!));
    for (const l of decisionLines(d)) out(`  ${l}`);
  };
  switch (sub) {
    case 'set':
      return printDecision(store.soa.set({
        control: controlArg(positionals, 'set'), applicable: v.applicable, status: v.status, justification: v.justification,
        reasons: v.reason, owner: v.owner, evidence: v.evidence, by: v.by, source: v.source,
      }));
    case 'approve':
      return printDecision(store.soa.approve(controlArg(positionals, 'approve'), v.by, version));
    case 'reject':
      return printDecision(store.soa.reject(controlArg(positionals, 'reject'), v.by, v.reason?.join('; '), version));
    case 'show': {
      const entry = entryOf(store, controlArg(positionals, 'show'));
      const { current, pending } = store.soa.state(entry.id);
      const history = v.history ? store.soa.history(entry.id) : undefined;
      if (v.json) return json({ id: entry.id, title: entry.title, cloudGuidance: entry.cloudGuidance, extended27017: entry.extended, current, pending, history });
      out(title(entry));
      out(`  ${controlFlags(entry)}`);
      out(current ? `current: ${decisionLines(current).join('\n  ')}` : 'current: no approved decision yet');
      if (pending) out(`pending: ${decisionLines(pending).join('\n  ')}`);
      if (history) {
        out(`history (${history.length} versions, oldest first):`);
        for (const d of history) out(`  ${decisionLines(d).join('\n    ')}`);
      }
      return;
    }
    case 'list': {
      const rows = store.soaRows();
      if (v.json) return json(rows.map(rowJson));
      for (const r of rows) {
        const d = r.current;
        const decision = d ? `${d.applicable ? 'applicable    ' : 'not applicable'} ${d.status.padEnd(15)} v${d.version} ${d.approvedAt?.slice(0, 10)}` : '(no approved decision)';
        out(`${r.entry.id.padEnd(10)} ${decision}${r.pending ? ` · pending v${r.pending.version}` : ''}  ${r.entry.title.en}`);
      }
      const decided = rows.filter((r) => r.current).length;
      out(`\n${decided} of ${rows.length} controls have an approved decision; ${rows.filter((r) => r.pending).length} proposals wait for approval.`);
      return;
    }
    case 'missing': {
      const { roles, from } = store.profile.roles();
      const missing = store.missing();
      if (v.json) {
        return json({ roles, rolesFrom: from, count: missing.length, missing: missing.map((r) => ({ id: r.entry.id, kind: r.entry.kind, title: r.entry.title, cloudGuidance: r.entry.cloudGuidance, pending: r.pending })) });
      }
      for (const r of missing) out(`${r.entry.id.padEnd(10)} ${r.entry.title.ja} / ${r.entry.title.en}${r.pending ? ` (proposal v${r.pending.version} pending)` : ''}`);
      out(`${missing.length ? '\n' : ''}${missing.length} controls relevant to ${roles.join(' and ')} (from ${from}) have no approved decision.`);
      return;
    }
    case 'export': {
      const file = v.out;
      if (!file) throw new UserError(`soa export needs --out FILE\nUsage: soa export --format xlsx|csv|md --out FILE`, 2);
      const format = oneOf(v.format ?? extname(file).slice(1).toLowerCase(), exportFormats, '--format') as ExportFormat;
      await store.exportSoa(format, file);
      const rows = store.soaRows();
      out(`wrote the SoA (${rows.length} controls, ${rows.filter((r) => r.current).length} with an approved decision) as ${format} to ${file}`);
      return;
    }
    default:
      throw new UserError(`unknown soa command "${sub ?? ''}"\nUsage: ${usage.soa}`, 2);
  }
}

function entryOf(store: Store, raw: string): CatalogEntry {
  const issues = new Issues();
  const entry = store.soa.resolve(issues, raw);
  issues.done();
  return entry!;
}

function riskInput(v: Record<string, string | string[] | boolean | undefined>): RiskInput {
  const s = (k: string) => v[k] as string | undefined;
  return {
    title: s('title'), description: s('description'), service: s('service'), asset: s('asset'), cia: s('cia'), threat: s('threat'),
    vulnerability: s('vulnerability'), owner: s('owner'), likelihood: s('likelihood'), impact: s('impact'), treatment: s('treatment'),
    controls: v.control as string[] | undefined, residual: s('residual'), status: s('status'), nextReview: s('review'), by: s('by'), source: s('source'),
  };
}

function riskCommand({ store, out, json }: Cmd, sub: string | undefined, argv: string[]): void {
  const { values: v, positionals } = parse(argv, { ...riskFlags, history: flag }, usage.risk);
  const idArg = () => {
    if (!positionals[0]) throw new UserError(`risk ${sub} needs a risk ID, e.g. risk ${sub} R-1\nUsage: ${usage.risk}`, 2);
    return positionals[0];
  };
  const print = (r: ReturnType<Store['risks']['add']>) => (v.json ? json(r) : riskLines(r).forEach((l) => out(l)));
  switch (sub) {
    case 'add':
      return print(store.risks.add(riskInput(v)));
    case 'update':
      return print(store.risks.update(idArg(), riskInput(v)));
    case 'list': {
      const risks = store.risks.list();
      if (v.json) return json(risks);
      for (const r of risks) out(`${r.id.padEnd(5)} ${`${r.level} ${r.score}`.padEnd(10)} ${r.title} (owner ${r.owner}, ${r.treatment ?? 'no treatment yet'}, ${r.status})`);
      out(`${risks.length} risk${risks.length === 1 ? '' : 's'}.`);
      return;
    }
    case 'show': {
      const history = store.risks.history(store.risks.require(idArg()).id);
      if (v.json) return json(v.history ? history : history[history.length - 1]);
      for (const r of v.history ? history : history.slice(-1)) riskLines(r).forEach((l) => out(l));
      return;
    }
    default:
      throw new UserError(`unknown risk command "${sub ?? ''}"\nUsage: ${usage.risk}`, 2);
  }
}

function profileCommand({ store, out, json }: Cmd, sub: string | undefined, argv: string[]): void {
  const { values: v } = parse(argv, { scope: str, service: many, by: str, source: str, json: flag }, usage.profile);
  if (sub === 'set') store.profile.set({ scope: v.scope, services: v.service?.map(parseService), by: v.by, source: v.source });
  else if (sub !== 'show') throw new UserError(`unknown profile command "${sub ?? ''}"\nUsage: ${usage.profile}`, 2);
  const { roles, from } = store.profile.roles();
  const profile = store.profile.get();
  if (v.json) return json({ profile, roles, rolesFrom: from });
  profileLines(profile, roles, from).forEach((l) => out(l));
}

function auditCommand({ store, out, json }: Cmd, sub: string | undefined, argv: string[]): void {
  const { values: v } = parse(argv, { json: flag, limit: str, date: str, auditor: str, scope: str, result: str, next: str, by: str, source: str }, usage.audit);
  if (sub === 'record') {
    const a = store.internalAudits.record({ date: v.date, auditor: v.auditor, scope: v.scope, result: v.result, nextDue: v.next, by: v.by, source: v.source });
    if (v.json) return json(a);
    out(`internal audit #${a.id} recorded: ${a.date} by ${a.auditor}${a.scope ? ` (scope: ${a.scope})` : ''}; next due ${a.nextDue}`);
    return;
  }
  if (sub === 'list') {
    const audits = store.internalAudits.list();
    if (v.json) return json(audits);
    for (const a of audits) out(`#${a.id} ${a.date} by ${a.auditor} · next due ${a.nextDue}${a.scope ? ` · scope: ${a.scope}` : ''}${a.result ? ` · result: ${a.result}` : ''}`);
    out(`${audits.length} internal audit${audits.length === 1 ? '' : 's'} recorded.`);
    return;
  }
  if (sub === 'log') {
    const limit = Number(v.limit ?? 50);
    if (!Number.isInteger(limit) || limit < 1) throw new UserError(`--limit must be a positive whole number (got "${v.limit}")`, 2);
    const entries = store.audit.entries(limit);
    if (v.json) return json(entries);
    for (const e of entries) out(`#${e.seq} ${e.at} ${e.actor} ${e.action} ${e.subject} ${e.hash.slice(0, 12)}`);
    return;
  }
  throw new UserError(`unknown audit command "${sub ?? ''}"\nUsage: ${usage.audit}`, 2);
}

async function dbCommand({ store, out }: Cmd, sub: string | undefined, argv: string[]): Promise<void> {
  const { positionals } = parse(argv, {}, usage.db);
  if (sub !== 'backup') throw new UserError(`unknown db command "${sub ?? ''}"\nUsage: ${usage.db}`, 2);
  if (!positionals[0]) throw new UserError(`db backup needs a file name, e.g. db backup backups/isms-2025-04-01.sqlite\nUsage: ${usage.db}`, 2);
  const r = await store.backup(positionals[0]);
  out(`backup written to ${r.file} (${r.pages} pages)`);
}

/** `audit verify [--json] [--expect-head HASH]`: read-only; --json includes the head hash, to record it elsewhere. */
function verifyCommand(file: string, argv: string[], out: Out): void {
  const { values: v } = parse(argv, { json: { type: 'boolean' }, 'expect-head': { type: 'string' } }, 'audit verify [--json] [--expect-head HASH]');
  const r = verifyFile(file, v['expect-head']);
  if (v.json) out(JSON.stringify(r, null, 2));
  if (!r.ok) throw new UserError(`audit chain broken: ${r.problem}`, 1);
  if (!v.json) out(`audit chain ok (${r.entries} entries)`);
}

// soa, risk, profile, audit and db commands: the CLI face of the SoA and risk-register store (src/soa).
import { existsSync } from 'node:fs';
import { extname } from 'node:path';
import type { AppContext } from '../app.js';
import { editions, ids2022, type Catalog, type CatalogEntry, type Edition } from '../catalog/catalog.js';
import { Issues } from '../soa/errors.js';
import { controlFlags, decisionLines, profileLines, riskLines } from '../soa/format.js';
import { storageError } from '../soa/db.js';
import { checkHead, type VerifyResult } from '../soa/audit.js';
import { exportFormats, openStore, storeFile, StoreError, verifyFile, type Decision, type ExportFormat, type PublicationChange, type RiskInput, type SoaItem, type SoaRow, type Store } from '../soa/index.js';
import { connectStore, defaultWorkspace, sqliteLeftBehind } from '../soa/connect.js';
import { parseService } from '../soa/profile.js';
import { oneOf, parse, UserError, type Out } from './args.js';

export { storeCommandNames } from './usage.js';

export { storeHelp } from './usage.js';

const usage = {
  soa: 'soa set|show|list|missing|approve|reject|export|publish|publications|edition|transition ... (see "help")',
  risk: 'risk add|update|list|show ... (see "help")',
  profile: 'profile set --scope "..." --service "name=..,role=..,model=.." --by NAME | profile show [--json]',
  audit: 'audit verify | audit log [--limit N] [--json] | audit record --date YYYY-MM-DD --auditor NAME --by NAME [--scope ..] [--result ..] [--next YYYY-MM-DD] | audit list [--json]',
  db: 'db backup <file> | db copy-to-postgres | db workspaces [--json]',
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
    // The SQLite file is verified as it is (read-only, never migrated); PostgreSQL through the store, in one snapshot.
    if (command === 'audit' && argv[0] === 'verify' && !ctx.config.database) return await verifyCommand((head) => verifyFile(storeFile(ctx.config), head), argv.slice(1), out);
    if (command === 'db' && argv[0] === 'copy-to-postgres') return await copyCommand(ctx, argv.slice(1), out);
    if (command === 'db' && argv[0] === 'workspaces') return await (await import('./workspaces.js')).workspacesCommand(ctx, argv.slice(1), out);
    const leftBehind = sqliteLeftBehind(ctx.config);
    if (leftBehind) process.stderr.write(`note: ${leftBehind}\n`);
    store = await connectStore(ctx.config, ctx.catalog, {}, { readOnly: command === 'audit' && argv[0] === 'verify' });
    const opened = store;
    if (command === 'audit' && argv[0] === 'verify') {
      return await verifyCommand(async (head) => {
        const known = head ? await opened.audit.hasHash(head) : true;
        return checkHead(await opened.verifyAudit(), head, () => known);
      }, argv.slice(1), out);
    }
    const [sub, ...rest] = argv;
    const json = (v: unknown) => out(JSON.stringify(v, null, 2));
    const run = { soa: soaCommand, risk: riskCommand, profile: profileCommand, audit: auditCommand, db: dbCommand }[command as keyof typeof usage];
    if (!run) throw new UserError(`unknown command "${command}"`, 2);
    await run({ store, catalog: ctx.catalog, out, json }, sub, rest);
  } catch (e) {
    if (e instanceof StoreError) throw new UserError(e.message, 1);
    const storage = storageError(e, storeFile(ctx.config));
    if (storage) throw new UserError(storage.message, 1);
    throw e;
  } finally {
    await store?.close();
  }
}

interface Cmd { store: Store; catalog: Catalog; out: Out; json: (v: unknown) => void }

function title(e: CatalogEntry, role?: string | null): string {
  return `${e.id}${role ? ` (${role})` : ''} ${e.title.ja} / ${e.title.en}`;
}

/** The control ID argument; with --role it names a 2022 27017 line, e.g. CLD.9.5.1@provider. */
function controlArg(positionals: string[], sub: string, role?: string): string {
  const id = positionals[0];
  if (!id) throw new UserError(`soa ${sub} needs a control ID, e.g. soa ${sub} 5.23 (or 12.3.1 in a 2013-edition SoA)\nUsage: ${usage.soa}`, 2);
  return role ? `${id}@${role}` : id;
}

function rowJson(r: SoaRow) {
  const e = r.entry;
  const cross = e.annex2022
    ? { theme: e.annex2022.theme, from2013: e.annex2022.from2013, isNew: e.annex2022.isNew, cloud: e.annex2022.cloud }
    : { cloudGuidance: e.cloudGuidance, extended27017: e.extended, iso27001_2022: ids2022(e) };
  return { key: r.key, id: e.id, role: r.role, edition: r.edition, kind: e.kind, title: e.title, ...cross, relevant: r.relevant, current: r.current, pending: r.pending };
}

async function soaCommand({ store, catalog, out, json }: Cmd, sub: string | undefined, argv: string[]): Promise<void> {
  const { values: v, positionals } = parse(argv, {
    applicable: str, status: str, justification: str, reason: many, owner: str, evidence: many, by: str, source: str,
    json: flag, history: flag, format: str, out: str, version: str, role: str, edition: str, to: str, 'dry-run': flag,
    note: str, draft: flag,
  }, usage.soa);
  const edition = oneOf(v.edition, editions, '--edition');
  const role = oneOf(v.role, ['customer', 'provider'] as const, '--role');
  const version = v.version === undefined ? undefined : Number(v.version);
  if (version !== undefined && (!Number.isInteger(version) || version < 1)) throw new UserError(`--version must be a decision version number such as 2 (got "${v.version}")`, 2);
  const printDecision = (d: Decision) => {
    if (v.json) return json(d);
    out(title(catalog.get(d.control)!, d.role));
    for (const l of decisionLines(d)) out(`  ${l}`);
  };
  switch (sub) {
    case 'set':
      return printDecision(await store.soa.set({
        control: controlArg(positionals, 'set', role), applicable: v.applicable, status: v.status, justification: v.justification,
        reasons: v.reason, owner: v.owner, evidence: v.evidence, by: v.by, source: v.source,
      }));
    case 'approve':
      return printDecision(await store.soa.approve(controlArg(positionals, 'approve', role), v.by, version));
    case 'reject':
      return printDecision(await store.soa.reject(controlArg(positionals, 'reject', role), v.by, v.reason?.join('; '), version));
    case 'show': {
      const item = await itemOf(store, controlArg(positionals, 'show', role), edition);
      const entry = item.entry;
      const { current, pending } = await store.soa.state(item.key);
      const history = v.history ? await store.soa.history(item.key) : undefined;
      if (v.json) return json({ key: item.key, id: entry.id, role: item.role, edition: item.edition, title: entry.title, cloudGuidance: entry.cloudGuidance, extended27017: entry.extended, current, pending, history });
      out(title(entry, item.role));
      out(`  ${entry.annex2022 ? `ISO/IEC 27001:2022 · from 2013: ${entry.annex2022.isNew ? 'new' : entry.annex2022.from2013.join(', ')} · 27017: ${entry.annex2022.cloud.join(', ') || '-'}` : controlFlags(entry)}`);
      out(current ? `current: ${decisionLines(current).join('\n  ')}` : 'current: no approved decision yet');
      if (pending) out(`pending: ${decisionLines(pending).join('\n  ')}`);
      if (history) {
        out(`history (${history.length} versions, oldest first):`);
        for (const d of history) out(`  ${decisionLines(d).join('\n    ')}`);
      }
      return;
    }
    case 'list': {
      const rows = await store.soaRows(edition);
      if (v.json) return json(rows.map(rowJson));
      const shown = edition ?? (await store.edition()).edition;
      out(`SoA, ISO/IEC 27001:${shown} edition${shown === '2022' ? ' (93 Annex A controls, then the 27017 cloud items per role in scope)' : ''}`);
      for (const r of rows) {
        const d = r.current;
        const decision = d ? `${d.applicable ? 'applicable    ' : 'not applicable'} ${d.status.padEnd(15)} v${d.version} ${d.approvedAt?.slice(0, 10)}` : '(no approved decision)';
        out(`${r.key.padEnd(20)} ${decision}${r.pending ? ` · pending v${r.pending.version}` : ''}  ${r.entry.title.en}`);
      }
      const decided = rows.filter((r) => r.current).length;
      out(`\n${decided} of ${rows.length} lines have an approved decision; ${rows.filter((r) => r.pending).length} proposals wait for approval.`);
      return;
    }
    case 'edition': {
      const e = await store.edition();
      if (v.json) return json(e);
      const why = { recorded: `recorded${e.setAt ? ` at ${e.setAt} by ${e.setBy}` : ''}`, decisions: 'the edition its recorded decisions are written in', default: 'no decision yet: ISMS_SOA_EDITION or the default' }[e.from];
      out(`ISO/IEC 27001:${e.edition} (${why})`);
      if (e.edition === '2013') out('Move to the 2022 edition with: soa transition --to 2022 --by NAME --dry-run (then without --dry-run)');
      return;
    }
    case 'transition':
      return transitionCommand(store, v, json, out);
    case 'missing': {
      const { roles, from } = await store.profile.roles();
      const missing = await store.missing();
      if (v.json) {
        return json({ roles, rolesFrom: from, count: missing.length, missing: missing.map((r) => ({ key: r.key, id: r.entry.id, role: r.role, kind: r.entry.kind, title: r.entry.title, cloudGuidance: r.entry.cloudGuidance, pending: r.pending })) });
      }
      for (const r of missing) out(`${r.key.padEnd(20)} ${r.entry.title.ja} / ${r.entry.title.en}${r.pending ? ` (proposal v${r.pending.version} pending)` : ''}`);
      out(`${missing.length ? '\n' : ''}${missing.length} SoA lines (ISO/IEC 27001:${(await store.edition()).edition}) relevant to ${roles.join(' and ')} (from ${from}) have no approved decision.`);
      return;
    }
    case 'export': {
      const file = v.out;
      if (!file) throw new UserError(`soa export needs --out FILE\nUsage: soa export --format xlsx|csv|md --out FILE [--draft]`, 2);
      const format = oneOf(v.format ?? extname(file).slice(1).toLowerCase(), exportFormats, '--format') as ExportFormat;
      const data = await store.exportSoa(format, file, { draft: !!v.draft });
      // A draft (--draft, or none published yet) is marked as one in the file itself, on every page.
      const p = data.publication;
      const which = p ? `SoA version ${p.version} (published ${p.at} by ${p.by}; ` : 'the SoA (';
      out(`wrote ${which}ISO/IEC 27001:${data.edition}, ${data.rows.length} lines, ${data.rows.filter((r) => r.current).length} with an approved decision) as ${format} to ${file}`);
      return;
    }
    case 'publish': {
      const p = await store.publish({ by: v.by, note: v.note, source: v.source });
      if (v.json) return json(p);
      out(`published SoA version ${p.version} (ISO/IEC 27001:${p.edition}, ${Object.keys(p.decisions).length} approved decisions) by ${p.by} at ${p.at}`);
      out(`changes since ${p.version === 1 ? 'nothing (first version)' : `version ${p.version - 1}`}: ${p.counts.added} added, ${p.counts.changed} changed, ${p.counts.removed} removed`);
      for (const c of p.changes.slice(0, 50)) out(`  ${changeLine(c)}`);
      if (p.changes.length > 50) out(`  ... and ${p.changes.length - 50} more (soa publications --json)`);
      return;
    }
    case 'publications': {
      const list = await store.publications.list();
      if (v.json) return json(list);
      for (const p of list) {
        out(`version ${p.version}  ${p.at}  by ${p.by}  ISO/IEC 27001:${p.edition}  +${p.counts.added} ~${p.counts.changed} -${p.counts.removed}${p.note ? `  note: ${p.note}` : ''}`);
      }
      out(list.length ? `${list.length} published version${list.length === 1 ? '' : 's'}; exports print version ${list[list.length - 1]!.version} (soa export --draft for the current state).`
        : 'No SoA version published yet: exports are drafts. Publish one with "soa publish --by APPROVER".');
      return;
    }
    default:
      throw new UserError(`unknown soa command "${sub ?? ''}"\nUsage: ${usage.soa}`, 2);
  }
}

function changeLine(c: PublicationChange): string {
  const side = (x: PublicationChange['before']) => (x ? `${x.applicable ? 'applicable' : 'not applicable'}/${x.status} (v${x.version})` : '-');
  return `${c.kind.padEnd(8)} ${c.key.padEnd(20)} ${side(c.before)} → ${side(c.after)}`;
}

async function itemOf(store: Store, raw: string, edition?: Edition): Promise<SoaItem> {
  const issues = new Issues();
  const item = await store.soa.resolve(issues, raw, undefined, edition);
  issues.done();
  return item!;
}

async function transitionCommand(store: Store, v: { to?: string; by?: string; source?: string; 'dry-run'?: boolean; json?: boolean }, json: (x: unknown) => void, out: Out): Promise<void> {
  if (v.to !== '2022') throw new UserError(`soa transition needs --to 2022${v.to ? ` (got "${v.to}": the only move is from 2013 to 2022)` : ''}`, 2);
  const dry = !!v['dry-run'];
  if (!dry && !v.by) throw new UserError('soa transition needs --by NAME (who proposes the 2022 decisions); try --dry-run first', 2);
  const plan = dry ? await store.planTransition() : await store.transition(v.by, v.source);
  const { proposals, ...rest } = plan;
  if (v.json) {
    return json({ ...rest, proposals: proposals.map((p) => ({ key: p.key, kind: p.kind, from: p.from.map((f) => `${f.id} v${f.version}`), undecidedSources: p.undecidedSources })) });
  }
  out(dry ? 'Dry run: nothing was written.' : `The SoA is now in the 2022 edition. ${proposals.length} proposals wait for approval (nothing was approved).`);
  out(`copied ${plan.copied} · merged ${plan.merged} · split ${plan.split} · 27017 items per role ${plan.cloud} · conflicts ${plan.conflicts.length} · new ${plan.new.length} · no 2013 decision ${plan.undecided.length}`);
  for (const c of plan.conflictDetails) out(`  conflict ${c.id}: ${c.sources.map((s) => `${s.id} ${s.applicable ? 'applicable' : 'excluded'}`).join(', ')}: decide with "soa set ${c.id} ..."`);
  for (const n of plan.newDetails) out(`  new ${n.id} ${n.title.en}: ${n.prompt.en}`);
  if (plan.ignoredPending.length) out(`  not carried over (2013 proposals never approved): ${plan.ignoredPending.join(', ')}`);
  if (dry) out('Run it without --dry-run (with --by NAME) to write the proposals; approve them with "soa approve ID --by APPROVER".');
}

function riskInput(v: Record<string, string | string[] | boolean | undefined>): RiskInput {
  const s = (k: string) => v[k] as string | undefined;
  return {
    title: s('title'), description: s('description'), service: s('service'), asset: s('asset'), cia: s('cia'), threat: s('threat'),
    vulnerability: s('vulnerability'), owner: s('owner'), likelihood: s('likelihood'), impact: s('impact'), treatment: s('treatment'),
    controls: v.control as string[] | undefined, residual: s('residual'), status: s('status'), nextReview: s('review'), by: s('by'), source: s('source'),
  };
}

async function riskCommand({ store, out, json }: Cmd, sub: string | undefined, argv: string[]): Promise<void> {
  const { values: v, positionals } = parse(argv, { ...riskFlags, history: flag }, usage.risk);
  const idArg = () => {
    if (!positionals[0]) throw new UserError(`risk ${sub} needs a risk ID, e.g. risk ${sub} R-1\nUsage: ${usage.risk}`, 2);
    return positionals[0];
  };
  const print = (r: Awaited<ReturnType<Store['risks']['add']>>) => (v.json ? json(r) : riskLines(r).forEach((l) => out(l)));
  switch (sub) {
    case 'add':
      return print(await store.risks.add(riskInput(v)));
    case 'update':
      return print(await store.risks.update(idArg(), riskInput(v)));
    case 'list': {
      const risks = await store.risks.list();
      if (v.json) return json(risks);
      for (const r of risks) out(`${r.id.padEnd(5)} ${`${r.level} ${r.score}`.padEnd(10)} ${r.title} (owner ${r.owner}, ${r.treatment ?? 'no treatment yet'}, ${r.status})`);
      out(`${risks.length} risk${risks.length === 1 ? '' : 's'}.`);
      return;
    }
    case 'show': {
      const history = await store.risks.history((await store.risks.require(idArg())).id);
      if (v.json) return json(v.history ? history : history[history.length - 1]);
      for (const r of v.history ? history : history.slice(-1)) riskLines(r).forEach((l) => out(l));
      return;
    }
    default:
      throw new UserError(`unknown risk command "${sub ?? ''}"\nUsage: ${usage.risk}`, 2);
  }
}

async function profileCommand({ store, out, json }: Cmd, sub: string | undefined, argv: string[]): Promise<void> {
  const { values: v } = parse(argv, { scope: str, service: many, by: str, source: str, json: flag }, usage.profile);
  if (sub === 'set') await store.profile.set({ scope: v.scope, services: v.service?.map(parseService), by: v.by, source: v.source });
  else if (sub !== 'show') throw new UserError(`unknown profile command "${sub ?? ''}"\nUsage: ${usage.profile}`, 2);
  const { roles, from } = await store.profile.roles();
  const profile = await store.profile.get();
  if (v.json) return json({ profile, roles, rolesFrom: from });
  profileLines(profile, roles, from).forEach((l) => out(l));
}

async function auditCommand({ store, out, json }: Cmd, sub: string | undefined, argv: string[]): Promise<void> {
  const { values: v } = parse(argv, { json: flag, limit: str, date: str, auditor: str, scope: str, result: str, next: str, by: str, source: str }, usage.audit);
  if (sub === 'record') {
    const a = await store.internalAudits.record({ date: v.date, auditor: v.auditor, scope: v.scope, result: v.result, nextDue: v.next, by: v.by, source: v.source });
    if (v.json) return json(a);
    out(`internal audit #${a.id} recorded: ${a.date} by ${a.auditor}${a.scope ? ` (scope: ${a.scope})` : ''}; next due ${a.nextDue}`);
    return;
  }
  if (sub === 'list') {
    const audits = await store.internalAudits.list();
    if (v.json) return json(audits);
    for (const a of audits) out(`#${a.id} ${a.date} by ${a.auditor} · next due ${a.nextDue}${a.scope ? ` · scope: ${a.scope}` : ''}${a.result ? ` · result: ${a.result}` : ''}`);
    out(`${audits.length} internal audit${audits.length === 1 ? '' : 's'} recorded.`);
    return;
  }
  if (sub === 'log') {
    const limit = Number(v.limit ?? 50);
    if (!Number.isInteger(limit) || limit < 1) throw new UserError(`--limit must be a positive whole number (got "${v.limit}")`, 2);
    const entries = await store.audit.entries(limit);
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

/**
 * `db copy-to-postgres`: the SQLite store of ISMS_DATA_DIR into the empty PostgreSQL database of DATABASE_URL
 * (migrated first as DATABASE_ADMIN_URL), then `audit verify` there must end at the same head hash.
 */
async function copyCommand(ctx: AppContext, argv: string[], out: Out): Promise<void> {
  parse(argv, {}, usage.db);
  const { config } = ctx;
  if (!config.database) throw new UserError('db copy-to-postgres needs DATABASE_URL (the PostgreSQL database to copy into) and, to own its tables, DATABASE_ADMIN_URL', 2);
  if (config.workspace) throw new UserError(`db copy-to-postgres copies into an empty database, as its single workspace "default": unset ISMS_WORKSPACE (${config.workspace})`, 2);
  const file = storeFile(config);
  if (!existsSync(file)) throw new UserError(`no SQLite store at ${file}: set ISMS_DATA_DIR to the folder that holds isms.sqlite`, 1);
  const source = openStore(config, ctx.catalog);
  let target: Store | undefined;
  const { pool } = await import('../soa/pg/db.js');
  const admin = pool(config.database.adminUrl, 1);
  try {
    target = await connectStore(config, ctx.catalog);
    const { copyToPostgres } = await import('../soa/pg/copy.js');
    const r = await copyToPostgres(source, admin, defaultWorkspace, (line) => out(`copied ${line}`));
    const after = await target.verifyAudit();
    if (!after.ok) throw new UserError(`the copy does not verify in PostgreSQL: ${after.problem}`, 1);
    if (after.head !== r.head) throw new UserError(`the copy's audit chain ends at ${after.head.slice(0, 16)}…, not at the SQLite store's head ${r.head.slice(0, 16)}…`, 1);
    out(`audit chain ok in PostgreSQL: ${after.entries} entries, head ${after.head}, the same as the SQLite store's. Keep ${file} as a backup, and start the bot with DATABASE_URL`);
  } finally {
    await admin.end().catch(() => undefined);
    await target?.close();
    await source.close();
  }
}

/** `audit verify [--json] [--expect-head HASH]`: read-only; --json includes the head hash, to record it elsewhere. */
async function verifyCommand(verify: (expectHead?: string) => Promise<VerifyResult & { note?: string }>, argv: string[], out: Out): Promise<void> {
  const { values: v } = parse(argv, { json: { type: 'boolean' }, 'expect-head': { type: 'string' } }, 'audit verify [--json] [--expect-head HASH]');
  const r = await verify(v['expect-head']);
  if (v.json) out(JSON.stringify(r, null, 2));
  else if (r.note) process.stderr.write(`note: ${r.note}\n`);
  if (!r.ok) throw new UserError(`audit chain broken: ${r.problem}`, 1);
  if (!v.json) out(`audit chain ok (${r.entries} entries)`);
}

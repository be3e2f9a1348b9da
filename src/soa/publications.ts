// Published versions of the SoA document (issue 13, item 2: `soa publish`). A publication freezes the approved
// decisions of the store's edition (the decision row ID per SoA key), lists what changed since the previous version and
// enters the audit chain. Exports print the latest publication unless a draft is asked for.
import type { Edition } from '../catalog/catalog.js';
import type { Decision, DecisionStore, SoaRow } from './decisions.js';
import { soaItems } from './decisions.js';
import { fail, Issues } from './errors.js';
import { isoDate, source, text, type Role, type StoreContext } from './context.js';

/** One SoA key whose approved decision differs from the previous version's. */
export interface PublicationChange {
  key: string;
  kind: 'added' | 'changed' | 'removed';
  /** The decision in the previous version (absent for an added key). */
  before: { decision: number; version: number; applicable: boolean; status: string } | null;
  /** The decision in this version (absent for a removed key). */
  after: { decision: number; version: number; applicable: boolean; status: string } | null;
}

export interface SoaPublication {
  id: number;
  /** 1 for the first published SoA, 2 for the next, ... */
  version: number;
  edition: Edition;
  /** The roles in scope when it was published: the lines of the SoA. */
  roles: Role[];
  /** The approved decision (row ID) frozen for each SoA key that had one. */
  decisions: Record<string, number>;
  changes: PublicationChange[];
  counts: { added: number; changed: number; removed: number };
  /** The highest decision row ID when it was published: its history sheet shows nothing newer. */
  lastDecision: number | null;
  by: string;
  /** The publisher's display name when published (a Slack user), else null. */
  byName: string | null;
  at: string;
  note: string | null;
  source: string;
}

interface PublicationRow {
  id: number; version: number; edition: Edition; roles: string; decisions: string; changes: string; last_decision: number | null;
  published_by: string; published_by_name?: string | null; published_at: string; note: string | null; source: string;
}

export interface PublishInput {
  by?: string;
  note?: string;
  source?: string;
}

const brief = (d: Decision) => ({ decision: d.id, version: d.version, applicable: d.applicable, status: d.status });

export class PublicationStore {
  constructor(private readonly ctx: StoreContext, private readonly soa: DecisionStore, private readonly roles: () => Promise<Role[]>) {}

  /** A store opened at an older schema version (migration tests) has no soa_publications table. */
  private hasTable(): boolean {
    return this.ctx.db.hasTable('soa_publications');
  }

  /** Every published version, oldest first. */
  async list(): Promise<SoaPublication[]> {
    if (!this.hasTable()) return [];
    return await this.ctx.db.read(async () => (await this.ctx.db.all<PublicationRow>('SELECT * FROM soa_publications ORDER BY version')).map(toPublication));
  }

  async latest(): Promise<SoaPublication | null> {
    if (!this.hasTable()) return null;
    return await this.ctx.db.read(async () => {
      const row = await this.ctx.db.get<PublicationRow>('SELECT * FROM soa_publications ORDER BY version DESC LIMIT 1');
      return row ? toPublication(row) : null;
    });
  }

  /**
   * The SoA lines of a publication with their frozen decisions (current = the frozen one, pending = none), and every
   * decision of its edition recorded up to the moment it was published.
   */
  async rows(p: SoaPublication): Promise<{ rows: SoaRow[]; history: Decision[] }> {
    return await this.ctx.db.read(async () => this.rowsOf(p));
  }

  private async rowsOf(p: SoaPublication): Promise<{ rows: SoaRow[]; history: Decision[] }> {
    const { history } = await this.soa.snapshot(p.roles, p.edition);
    const byId = new Map(history.map((d) => [d.id, d]));
    const rows: SoaRow[] = [];
    for (const item of soaItems(this.ctx.catalog, p.edition, p.roles)) {
      const id = p.decisions[item.key];
      rows.push({ ...item, current: id === undefined ? null : byId.get(id) ?? await this.soa.get(id), pending: null });
    }
    return { rows, history: history.filter((d) => p.lastDecision === null || d.id <= p.lastDecision) };
  }

  /**
   * Records the next version. Only approvers publish; a version that would freeze the same decisions (in the same
   * edition) as the previous one is refused. Nothing is written on refusal.
   */
  async publish(input: PublishInput): Promise<SoaPublication> {
    const issues = new Issues();
    const by = text(issues, 'by', input.by, { required: 'Say who publishes the SoA, e.g. --by alice (an approver)' });
    const note = text(issues, 'note', input.note) ?? null;
    const src = source(issues, input.source);
    issues.done();
    await this.ctx.refreshApprovers?.();
    if (!this.soa.isApprover(by)) {
      const { approvers } = this.ctx;
      fail('by', `${by} is not an approver, so cannot publish the SoA`, approvers.length
        ? `Ask one of ${approvers.join(', ')} (ISMS_APPROVERS)`
        : 'No approvers are configured: set ISMS_APPROVERS to a comma-separated list of Slack user IDs or CLI user names');
    }
    return await this.ctx.db.write(async () => {
      const roles = await this.roles();
      const { rows, edition } = await this.soa.snapshot(roles);
      const frozen = new Map<string, Decision>();
      for (const r of rows) if (r.current) frozen.set(r.key, r.current);
      const prev = await this.latest();
      const before = new Map<string, Decision | null>();
      if (prev) for (const [key, id] of Object.entries(prev.decisions)) before.set(key, await this.soa.get(id));
      const changes: PublicationChange[] = [];
      for (const [key, d] of frozen) {
        const old = before.get(key);
        if (old === undefined) changes.push({ key, kind: 'added', before: null, after: brief(d) });
        else if (!old || old.id !== d.id) changes.push({ key, kind: 'changed', before: old ? brief(old) : null, after: brief(d) });
      }
      for (const [key, old] of before) if (!frozen.has(key)) changes.push({ key, kind: 'removed', before: old ? brief(old) : null, after: null });
      if (prev && !changes.length && prev.edition === edition) {
        fail('soa', `nothing changed since version ${prev.version} (published at ${prev.at} by ${prev.by})`,
          'Approve a new decision first (soa set / soa approve), then publish; the export already prints that version');
      }
      // Four-eyes: a version is signed off by someone who proposed none of its changes.
      const own = changes.filter((c) => frozen.get(c.key)?.proposedBy === by).map((c) => c.key);
      if (own.length) this.soa.refuseOwn(by!, `proposed ${own.length} of the changes in this version (${own.slice(0, 5).join(', ')}${own.length > 5 ? ', …' : ''})`);
      if (!frozen.size) fail('soa', 'the SoA has no approved decision yet, so there is nothing to publish', 'Record and approve decisions first (soa set ... --by APPROVER)');
      const version = (prev?.version ?? 0) + 1;
      const at = isoDate(this.ctx.now());
      const last = (await this.ctx.db.get<{ id: number | null }>('SELECT max(id) AS id FROM decisions'))?.id ?? null;
      const written = await this.ctx.db.insert('soa_publications', {
        version, edition, roles: JSON.stringify(roles), decisions: JSON.stringify(Object.fromEntries([...frozen].map(([k, d]) => [k, d.id]))),
        changes: JSON.stringify(changes), last_decision: last, published_by: by, published_by_name: this.ctx.people.nameOf(by), published_at: at, note, source: src,
      });
      const p = toPublication(written as unknown as PublicationRow);
      await this.ctx.audit.append({
        at, actor: by!, action: 'soa.publish', subject: `SoA version ${version}`, table: 'soa_publications', row: p.id, written,
        extra: { version, edition, decisions: frozen.size, ...p.counts },
      });
      return p;
    });
  }
}

function toPublication(r: PublicationRow): SoaPublication {
  const changes = JSON.parse(r.changes) as PublicationChange[];
  const n = (kind: PublicationChange['kind']) => changes.filter((c) => c.kind === kind).length;
  return {
    id: r.id, version: r.version, edition: r.edition, roles: JSON.parse(r.roles) as Role[], decisions: JSON.parse(r.decisions) as Record<string, number>,
    changes, counts: { added: n('added'), changed: n('changed'), removed: n('removed') }, lastDecision: r.last_decision,
    by: r.published_by, byName: r.published_by_name ?? null, at: r.published_at, note: r.note, source: r.source,
  };
}

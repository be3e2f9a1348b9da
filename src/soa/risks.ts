// Risk register (JIP-ISMS517 4.2.1). A change to a risk is a new row with the same risk ID; the latest row is current.
import type { RiskLevel } from '../config.js';
import { nearestIds } from '../catalog/ids.js';
import { Issues, fail } from './errors.js';
import type { ProfileStore } from './profile.js';
import { isoDate, list, source, text, type StoreContext } from './context.js';

export const treatments = ['modify', 'retain', 'avoid', 'share'] as const;
export const riskStatuses = ['open', 'treating', 'accepted', 'closed'] as const;
export type Treatment = (typeof treatments)[number];
export type RiskStatus = (typeof riskStatuses)[number];

export interface Risk {
  id: string;
  /** 1 for the first record of this risk, 2 after the first update, ... */
  version: number;
  title: string;
  description: string | null;
  service: string | null;
  asset: string | null;
  cia: { confidentiality: boolean; integrity: boolean; availability: boolean };
  threat: string | null;
  vulnerability: string | null;
  owner: string;
  /** The owner's display name when the row was written (a Slack user), else null. */
  ownerName: string | null;
  likelihood: number;
  impact: number;
  score: number;
  level: string;
  treatment: Treatment | null;
  controls: string[];
  residual: number | null;
  residualLevel: string | null;
  status: RiskStatus;
  nextReview: string | null;
  source: string;
  recordedBy: string;
  recordedByName: string | null;
  recordedAt: string;
}

/** Field values as typed by a person; numbers may come as text. An empty string clears an optional field on update. */
export interface RiskInput {
  title?: string;
  description?: string;
  service?: string;
  asset?: string;
  /** Letters C, I and A, e.g. "CI". */
  cia?: string;
  threat?: string;
  vulnerability?: string;
  owner?: string;
  likelihood?: number | string;
  impact?: number | string;
  treatment?: string;
  controls?: string[];
  residual?: number | string;
  status?: string;
  nextReview?: string;
  source?: string;
  by?: string;
}

/** "r3", "R-3", "r-03" -> "R-3"; null when it does not look like a risk ID. */
export function riskId(raw: string): string | null {
  const m = /^r-?\s*0*(\d+)$/i.exec(raw.normalize('NFKC').trim());
  return m && Number(m[1]) > 0 ? `R-${Number(m[1])}` : null;
}

export function levelOf(score: number, levels: RiskLevel[]): string {
  return levels.find((l) => score >= l.min && score <= l.max)?.name ?? '?';
}

interface RiskRow {
  id: number; risk_id: string; version: number; title: string; description: string | null; service: string | null; asset: string | null;
  confidentiality: number; integrity: number; availability: number; threat: string | null; vulnerability: string | null;
  owner: string; likelihood: number; impact: number; score: number; treatment: Treatment | null; controls: string;
  residual: number | null; status: RiskStatus; next_review: string | null; source: string; recorded_by: string; recorded_at: string;
  owner_name?: string | null; recorded_by_name?: string | null;
}

const withVersion = 'SELECT r.*, CAST((SELECT count(*) FROM risks x WHERE x.risk_id = r.risk_id AND x.id <= r.id) AS INTEGER) AS version FROM risks r';

export class RiskStore {
  constructor(private readonly ctx: StoreContext, private readonly profile: ProfileStore) {}

  async list(): Promise<Risk[]> {
    return await this.ctx.db.read(async () => (await this.ctx.db.all<RiskRow>(`${withVersion} WHERE r.id IN (SELECT max(id) FROM risks GROUP BY risk_id) ORDER BY CAST(substr(r.risk_id, 3) AS INTEGER)`))
      .map((r) => this.toRisk(r)));
  }

  private async historyRows(id: string): Promise<RiskRow[]> {
    return await this.ctx.db.all<RiskRow>(`${withVersion} WHERE r.risk_id = ? ORDER BY r.id`, [id]);
  }

  async get(raw: string): Promise<Risk | null> {
    const id = riskId(raw);
    return await this.ctx.db.read(async () => {
      const rows = id ? await this.historyRows(id) : [];
      return rows.length ? this.toRisk(rows[rows.length - 1]!) : null;
    });
  }

  /** The current version of a risk; an unknown ID throws an error that lists the known ones. */
  async require(raw: string): Promise<Risk> {
    return await this.get(raw) ?? await this.unknown(raw);
  }

  async history(raw: string): Promise<Risk[]> {
    const id = riskId(raw);
    return await this.ctx.db.read(async () => (id ? await this.historyRows(id) : []).map((r) => this.toRisk(r)));
  }

  /** Registers a new risk and returns it with its ID (R-1, R-2, ...). */
  async add(input: RiskInput): Promise<Risk> {
    const row = await this.check(input);
    return await this.ctx.db.write(async () => {
      const id = `R-${(await this.ctx.db.get('SELECT coalesce(max(CAST(substr(risk_id, 3) AS INTEGER)), 0) + 1 AS n FROM risks') as { n: number }).n}`;
      return this.write({ ...row, risk_id: id }, 'risk.add');
    });
  }

  /** Records a new version of a risk: given fields replace the current ones. */
  async update(raw: string, input: RiskInput): Promise<Risk> {
    // Read and write in one immediate transaction: two concurrent updates never silently drop one another's fields.
    return await this.ctx.db.write(async () => this.updateNow(raw, input));
  }

  private async updateNow(raw: string, input: RiskInput): Promise<Risk> {
    const current = await this.require(raw);
    const merged: RiskInput = {
      title: current.title, description: current.description ?? undefined, service: current.service ?? undefined,
      asset: current.asset ?? undefined, threat: current.threat ?? undefined, vulnerability: current.vulnerability ?? undefined,
      cia: `${current.cia.confidentiality ? 'C' : ''}${current.cia.integrity ? 'I' : ''}${current.cia.availability ? 'A' : ''}`,
      owner: current.owner, likelihood: current.likelihood, impact: current.impact, treatment: current.treatment ?? undefined,
      controls: current.controls, residual: current.residual ?? undefined, status: current.status, nextReview: current.nextReview ?? undefined,
      ...Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)),
    };
    const row = await this.check(merged);
    // An unchanged owner keeps the name recorded for them when this process has not seen it (a CLI update).
    if (row.owner === current.owner && row.owner_name == null) row.owner_name = current.ownerName;
    return await this.write({ ...row, risk_id: current.id }, 'risk.update');
  }

  private async write(row: Record<string, unknown>, action: string): Promise<Risk> {
    const written = await this.ctx.db.insert('risks', row);
    const actor = row.recorded_by as string;
    await this.ctx.audit.append({ at: row.recorded_at as string, actor, action, subject: row.risk_id as string, table: 'risks', row: written.id as number, written });
    return (await this.get(row.risk_id as string))!;
  }

  private async unknown(raw: string): Promise<never> {
    const known = (await this.list()).map((r) => r.id);
    return fail('risk', `no risk ${riskId(raw) ?? `"${raw}"`} in the register`, known.length
      ? `Known risks: ${known.slice(0, 10).join(', ')}${known.length > 10 ? ', ...' : ''}. See "risk list"`
      : 'The register is empty: add one with "risk add"');
  }

  /** Checks a full set of fields and returns the row to insert (without risk_id). Throws every problem at once. */
  private async check(input: RiskInput): Promise<Record<string, unknown>> {
    const issues = new Issues();
    const title = text(issues, 'title', input.title, { required: 'Give the risk a short title, e.g. --title "Backups not tested"' });
    const owner = text(issues, 'owner', input.owner, { required: 'Every risk needs a risk owner (JIP-ISMS517 4.2.1): add --owner NAME' });
    const likelihood = score5(issues, 'likelihood', input.likelihood);
    const impact = score5(issues, 'impact', input.impact);
    const cia = (text(issues, 'cia', input.cia, { required: 'Say which of confidentiality, integrity and availability the risk affects, e.g. --cia CI' }) ?? '').toUpperCase();
    if (cia && !/^[CIA](?:[\s,]*[CIA])*$/.test(cia)) issues.add('cia', `"${input.cia}" is not a set of the letters C, I and A`, 'Write the letters of the affected properties, e.g. --cia CA');
    const treatment = text(issues, 'treatment', input.treatment)?.toLowerCase();
    if (treatment && !(treatments as readonly string[]).includes(treatment)) {
      issues.add('treatment', `"${treatment}" is not a treatment`, `Use one of ${treatments.join(', ')}`);
    }
    const controls = this.checkControls(issues, list(input.controls));
    if (treatment === 'modify' && !controls.length && !issues.list.some((i) => i.field === 'control')) {
      issues.add('control', 'treatment "modify" needs the controls that modify the risk', 'Add one --control per control, e.g. --control 12.3.1');
    }
    const residual = input.residual === undefined || input.residual === '' ? null : intIn(issues, 'residual', input.residual, 1, 25, 'Give the residual score after treatment, 1 to 25 (likelihood x impact)');
    const status = text(issues, 'status', input.status)?.toLowerCase() ?? 'open';
    if (!(riskStatuses as readonly string[]).includes(status)) issues.add('status', `"${status}" is not a risk status`, `Use one of ${riskStatuses.join(', ')}`);
    const nextReview = text(issues, 'review', input.nextReview);
    if (nextReview && !validDate(nextReview)) issues.add('review', `"${nextReview}" is not a date`, 'Write the next review date as YYYY-MM-DD, e.g. --review 2026-04-01');
    const service = await this.checkService(issues, text(issues, 'service', input.service));
    const src = source(issues, input.source);
    const by = text(issues, 'by', input.by, { required: 'Say who records the risk, e.g. --by alice' });
    const optional = (field: keyof RiskInput) => text(issues, field, input[field]) ?? null;
    const [description, asset, threat, vulnerability] = [optional('description'), optional('asset'), optional('threat'), optional('vulnerability')];
    issues.done();
    return {
      title, description, service, asset,
      confidentiality: +cia.includes('C'), integrity: +cia.includes('I'), availability: +cia.includes('A'),
      threat, vulnerability, owner, likelihood, impact, score: likelihood! * impact!, treatment: treatment ?? null, controls: JSON.stringify(controls),
      residual, status, next_review: nextReview ?? null, source: src, recorded_by: by!, recorded_at: isoDate(this.ctx.now()),
      owner_name: this.ctx.people.nameOf(owner), recorded_by_name: this.ctx.people.nameOf(by),
    };
  }

  private checkControls(issues: Issues, raws: string[]): string[] {
    const out: string[] = [];
    const soaIds = this.ctx.catalog.controls().map((c) => c.id);
    for (const raw of raws) {
      const r = this.ctx.catalog.resolve(raw);
      if (!r.ok || r.entry.kind === 'requirement') {
        issues.add('control', r.ok ? `${r.id} is a JIP-ISMS517 requirement, not a control` : `no control "${raw}" in the catalogue`,
          `Did you mean ${nearestIds(raw, soaIds).join(', ')}? Controls look like 12.3.1 or CLD.9.5.1`);
      } else if (!out.includes(r.id)) out.push(r.id);
    }
    return out;
  }

  private async checkService(issues: Issues, service: string | undefined): Promise<string | null> {
    if (!service) return null;
    const names = (await this.profile.get())?.services.map((s) => s.name) ?? [];
    if (!names.length) return service;
    const match = names.find((n) => n.toLowerCase() === service.toLowerCase());
    if (!match) issues.add('service', `"${service}" is not a cloud service in the profile`, `Use one of ${names.map((n) => `"${n}"`).join(', ')}, or add it with "profile set"`);
    return match ?? service;
  }

  private toRisk(r: RiskRow): Risk {
    const levels = this.ctx.riskLevels;
    return {
      id: r.risk_id, version: r.version, title: r.title, description: r.description, service: r.service, asset: r.asset,
      cia: { confidentiality: !!r.confidentiality, integrity: !!r.integrity, availability: !!r.availability },
      threat: r.threat, vulnerability: r.vulnerability, owner: r.owner, ownerName: r.owner_name ?? null, likelihood: r.likelihood, impact: r.impact,
      score: r.score, level: levelOf(r.score, levels), treatment: r.treatment, controls: JSON.parse(r.controls) as string[],
      residual: r.residual, residualLevel: r.residual == null ? null : levelOf(r.residual, levels), status: r.status,
      nextReview: r.next_review, source: r.source, recordedBy: r.recorded_by, recordedByName: r.recorded_by_name ?? null, recordedAt: r.recorded_at,
    };
  }
}

function intIn(issues: Issues, field: string, value: unknown, min: number, max: number, hint: string): number | undefined {
  const raw = typeof value === 'number' || typeof value === 'string' ? String(value) : '';
  const n = typeof value === 'number' ? value : /^\s*\d+\s*$/.test(raw) ? Number(raw) : NaN;
  if (Number.isInteger(n) && n >= min && n <= max) return n;
  issues.add(field, raw === '' ? 'is required' : `"${raw}" is not a whole number from ${min} to ${max}`, hint);
  return undefined;
}

const score5 = (issues: Issues, field: string, value: unknown) =>
  intIn(issues, field, value, 1, 5, `Rate the ${field} from 1 (lowest) to 5 (highest), e.g. --${field} 3`);

function validDate(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(s);
}

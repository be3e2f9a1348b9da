// Organisation profile (JIP-ISMS517 4.1): the scope statement, the cloud services in it, and the roles they put in scope.
import { canonical } from './audit.js';
import { Issues, fail } from './errors.js';
import { isoDate, source, text, type Role, type ServiceRole, type StoreContext } from './context.js';

export type ServiceModel = 'IaaS' | 'PaaS' | 'SaaS';
const serviceRoles: ServiceRole[] = ['customer', 'provider', 'both'];
const serviceModels: ServiceModel[] = ['IaaS', 'PaaS', 'SaaS'];

export interface Service {
  name: string;
  role: ServiceRole;
  model: ServiceModel;
  /** For a provider service built on other cloud services: those services. Then both roles are in scope. */
  runsOn: string | null;
}

export interface Profile {
  id: number;
  scope: string;
  services: Service[];
  setBy: string;
  setAt: string;
  source: string;
}

export interface ServiceInput { name?: string; role?: string; model?: string; runsOn?: string | null }
export interface ProfileInput { scope?: string; services?: ServiceInput[]; by?: string; source?: string }

/** Parses "name=Acme Portal,role=provider,model=SaaS,runs-on=AWS" (the CLI and chat spelling of a service). */
export function parseService(spec: string): ServiceInput {
  const out: ServiceInput = {};
  for (const part of spec.split(',')) {
    const [key = '', ...rest] = part.split('=');
    const value = rest.join('=').trim();
    const k = key.trim().toLowerCase();
    if (k === 'name') out.name = value;
    else if (k === 'role') out.role = value;
    else if (k === 'model') out.model = value;
    else if (k === 'runs-on' || k === 'runson') out.runsOn = value;
    else if (k) fail('service', `"${part.trim()}" in "${spec}" is not name=, role=, model= or runs-on=`, 'Write a service as "name=Acme Portal,role=provider,model=SaaS,runs-on=AWS"');
  }
  return out;
}

/** The roles a set of services puts in scope. A provider service that runs on other cloud services adds the customer role. */
export function rolesOf(services: Service[]): Role[] {
  const roles = new Set<Role>();
  for (const s of services) {
    if (s.role !== 'provider') roles.add('customer');
    if (s.role !== 'customer') roles.add('provider');
    if (s.runsOn) roles.add('customer');
  }
  return (['customer', 'provider'] as Role[]).filter((r) => roles.has(r));
}

interface ProfileRow { id: number; scope: string; set_by: string; set_at: string; source: string }
interface ServiceRow { name: string; role: ServiceRole; model: ServiceModel; on_other_cloud: number; runs_on: string | null }

export class ProfileStore {
  constructor(private readonly ctx: StoreContext) {}

  /** The current profile, or null before the first `profile set`. */
  async get(): Promise<Profile | null> {
    return await this.ctx.db.read(async () => this.getNow());
  }

  private async getNow(): Promise<Profile | null> {
    const { db } = this.ctx;
    // Read once per write transaction (a batch of decisions asks for the roles at each one); set() forgets it.
    const memo = db.memo();
    if (memo?.has('profile')) return memo.get('profile') as Profile | null;
    const profile = await this.readNow();
    memo?.set('profile', profile);
    return profile;
  }

  private async readNow(): Promise<Profile | null> {
    const { db } = this.ctx;
    const row = await db.get<ProfileRow>('SELECT * FROM profile ORDER BY id DESC LIMIT 1');
    if (!row) return null;
    const services = (await db.all<ServiceRow>('SELECT * FROM services WHERE profile_id = ? ORDER BY id', [row.id])).map((s) => ({
      name: s.name, role: s.role, model: s.model, runsOn: s.runs_on ?? (s.on_other_cloud ? 'other cloud services' : null),
    }));
    return { id: row.id, scope: row.scope, services, setBy: row.set_by, setAt: row.set_at, source: row.source };
  }

  /** The roles in scope: from the profile's services, or ISMS_ROLE when no profile is set. */
  async roles(): Promise<{ roles: Role[]; from: 'profile' | 'ISMS_ROLE' }> {
    const p = await this.get();
    if (p) return { roles: rolesOf(p.services), from: 'profile' };
    const r = this.ctx.fallbackRole;
    return { roles: r === 'both' ? ['customer', 'provider'] : [r], from: 'ISMS_ROLE' };
  }

  /** Records a new version of the profile. Omitted scope or services keep the current ones. */
  async set(input: ProfileInput): Promise<Profile> {
    // The current profile is read inside the write transaction, so a concurrent change is never silently overwritten.
    return await this.ctx.db.write(async () => this.setNow(input));
  }

  private async setNow(input: ProfileInput): Promise<Profile> {
    const current = await this.get();
    const issues = new Issues();
    const by = text(issues, 'by', input.by, { required: 'Say who is making the change, e.g. --by alice' });
    const src = source(issues, input.source);
    const scope = text(issues, 'scope', input.scope ?? current?.scope, {
      required: 'Write the ISMS scope statement naming the cloud services, e.g. --scope "Operation of the Acme Portal SaaS on AWS"',
    });
    const services = input.services ? this.checkServices(issues, input.services) : current?.services ?? [];
    if (!services.length && !issues.list.some((i) => i.field === 'service')) {
      issues.add('service', 'no cloud service is named', 'Add at least one, e.g. --service "name=Acme Portal,role=provider,model=SaaS,runs-on=AWS"');
    }
    if (scope) {
      const missing = services.filter((s) => !scope.toLowerCase().includes(s.name.toLowerCase()));
      if (missing.length) {
        issues.add('scope', `the scope statement does not name ${missing.map((s) => `"${s.name}"`).join(', ')}`, 'JIP-ISMS517 4.1 asks the scope to name the cloud services: mention each service by name in --scope');
      }
    }
    if (current && scope === current.scope && canonical(services) === canonical(current.services)) {
      issues.add('profile', 'nothing changed', 'Give a new --scope or --service list');
    }
    issues.done();
    const at = isoDate(this.ctx.now());
    const { db } = this.ctx;
    const written = await db.insert('profile', { scope, set_by: by, set_at: at, source: src });
    db.memo()?.delete('profile');
    const id = written.id as number;
    const rows: Record<string, unknown>[] = [];
    for (const s of services) rows.push(await db.insert('services', { profile_id: id, name: s.name, role: s.role, model: s.model, on_other_cloud: s.runsOn ? 1 : 0, runs_on: s.runsOn }));
    await this.ctx.audit.append({ at, actor: by!, action: 'profile.set', subject: 'profile', table: 'profile', row: id, written, services: rows, extra: { roles: rolesOf(services) } });
    return (await this.get())!;
  }

  private checkServices(issues: Issues, inputs: ServiceInput[]): Service[] {
    const out: Service[] = [];
    const example = 'e.g. --service "name=Acme Portal,role=provider,model=SaaS,runs-on=AWS"';
    for (const s of inputs) {
      const name = s.name?.trim() ?? '';
      if (!name) {
        issues.add('service', 'a service has no name', `Write each service as name=...,role=...,model=..., ${example}`);
        continue;
      }
      const role = serviceRoles.find((r) => r === s.role?.trim().toLowerCase());
      if (!role) issues.add('service', `${name}: role "${s.role ?? ''}" is not customer, provider or both`, `Set role=customer, role=provider or role=both, ${example}`);
      const model = serviceModels.find((m) => m.toLowerCase() === s.model?.trim().toLowerCase());
      if (!model) issues.add('service', `${name}: model "${s.model ?? ''}" is not IaaS, PaaS or SaaS`, `Set model=IaaS, model=PaaS or model=SaaS, ${example}`);
      const runsOn = s.runsOn?.trim() || null;
      if (runsOn && role === 'customer') issues.add('service', `${name}: runs-on is for a service you provide`, 'Drop runs-on, or set role=provider or role=both');
      if (out.some((o) => o.name.toLowerCase() === name.toLowerCase())) issues.add('service', `"${name}" is listed twice`, 'Give each service once');
      if (role && model) out.push({ name, role, model, runsOn });
    }
    return out;
  }
}

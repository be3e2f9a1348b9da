// Writes an approved assessment in one transaction: the service in the profile (4.1), the risks in the register
// (4.2.1) and the SoA decisions with their reasons linked to the risk IDs (4.2.2). All of it, or nothing.
import { linesFor, StoreError, type Decision, type DecisionInput, type Risk, type Store } from '../soa/index.js';
import type { AssessmentState } from './types.js';

export interface Written {
  risks: Risk[];
  decisions: Decision[];
  profileUpdated: boolean;
}

export async function commitAssessment(store: Store, state: AssessmentState, approver: string, source: string): Promise<Written> {
  return await store.batch(async (tx) => {
    // Checked and recorded inside the same immediate transaction: a second approval (a double click, the DM button
    // and the thread button, another process) finds the first one and writes nothing.
    if (await tx.audit.recorded('assessment.approve', state.id)) {
      throw new StoreError([{ field: 'assessment', message: `assessment ${state.id} was already approved`, hint: 'Nothing was written again; see "risk list" and "soa list"' }]);
    }
    const s = state.scope;
    const { service, role, model } = s;
    if (!service || !role || !model) {
      throw new StoreError([{ field: 'assessment', message: `assessment ${state.id} has no complete scope (service, role, model)`, hint: 'Answer the scope questions first' }]);
    }
    const proposer = state.submittedBy ?? state.startedBy;
    let profileUpdated = false;
    const profile = await tx.profile.get();
    const listed = profile?.services.some((x) => x.name.toLowerCase() === service.toLowerCase());
    if (!listed) {
      const scope = profile ? `${profile.scope}; ${s.service}` : `Cloud services: ${s.service}`;
      const services = [
        ...(profile?.services ?? []).map((x) => ({ name: x.name, role: x.role, model: x.model, runsOn: x.runsOn })),
        { name: service, role, model, runsOn: s.runsOn ?? null },
      ];
      await tx.profile.set({ scope, services, by: approver, source });
      profileUpdated = true;
    }
    const assets = s.assets.map((a) => `${a.name} (${a.classification})`).join(', ');
    const risks: Risk[] = [];
    for (const r of state.risks) {
      risks.push(await tx.risks.add({
        title: r.title, description: r.description, service: s.service, asset: assets || undefined, cia: r.cia, owner: r.owner,
        likelihood: r.likelihood, impact: r.impact, treatment: r.treatment, controls: r.controls,
        status: r.treatment === 'modify' ? 'treating' : r.treatment === 'retain' ? 'accepted' : 'open', source, by: approver,
      }));
    }

    // Each chosen control: applicable, with every risk that chose it as a reason. A decision already in force keeps
    // its status and its other reasons.
    // In the 2022 edition a chosen control becomes the SoA lines it bears on (12.3.1: 8.13 and 12.3.1 per role).
    const edition = (await tx.edition()).edition;
    const roles = await tx.profileRoles();
    const byControl = new Map<string, string[]>();
    risks.forEach((written, i) => (state.risks[i]?.controls ?? []).flatMap((id) => linesFor(tx.catalog, edition, id, roles))
      .forEach((key) => byControl.set(key, [...new Set([...(byControl.get(key) ?? []), `risk:${written.id}`])])));
    const inputs: DecisionInput[] = [];
    for (const [control, reasons] of byControl) {
      const current = (await tx.soa.state(control)).current;
      const keep = current?.applicable ? current : null;
      inputs.push({
        control, applicable: true, status: keep?.status ?? 'planned', reasons: [...new Set([...(keep?.reasons ?? []), ...reasons])],
        owner: keep?.owner ?? undefined, evidence: keep?.evidence, by: proposer, source,
      });
    }
    for (const d of state.decisions) {
      inputs.push(d.applicable
        ? { control: d.controlId, applicable: true, status: 'planned', reasons: [`business:${d.reason ?? `risk assessment ${state.id} of ${s.service}`}`], by: proposer, source }
        : { control: d.controlId, applicable: false, status: 'not-implemented', justification: d.justification, by: proposer, source });
    }
    // Who entered the items (the participant who submitted, else the starter) proposes; the approver approves.
    const decisions = await tx.soa.proposeAndApprove(inputs, approver, { assessment: state.id });
    await tx.audit.append({
      at: new Date().toISOString(), actor: approver, action: 'assessment.approve', subject: state.id,
      extra: { thread: state.thread, source, service: s.service, risks: risks.map((r) => r.id), decisions: decisions.map((d) => d.id) },
    });
    return { risks, decisions, profileUpdated };
  });
}

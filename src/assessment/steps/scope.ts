// Scope (JIP-ISMS517 4.1): the service, our role, the service model, the cloud it runs on, and the assets.
// An answer may carry later facts too ("provider SaaS on AWS"): they are kept and their questions skipped.
import type { Product } from '../../catalog/schema.js';
import type { FlowDeps } from '../deps.js';
import type { StepContext, StepHandler } from '../flow.js';
import { messages } from '../messages.js';
import * as parse from '../parse.js';
import { rankRisks } from '../rank.js';
import type { AssessmentState, Step } from '../types.js';

export function chooseService(state: AssessmentState, name: string, deps: FlowDeps): void {
  state.scope.service = name;
  const known = deps.profile?.services.find((s) => s.name.toLowerCase() === name.toLowerCase());
  if (known) {
    Object.assign(state.scope, { service: known.name, role: known.role, model: known.model, runsOn: known.runsOn ?? null, fromProfile: true });
  }
  state.step = 'role';
}

/** The first scope question not answered yet. */
function nextScopeStep(state: AssessmentState): Step {
  const s = state.scope;
  if (!s.role) return 'role';
  if (!s.model) return 'model';
  if (s.role !== 'customer' && s.runsOn === undefined) return 'runsOn';
  return 'assets';
}

/** Sets the platform a service runs on; a provider that runs on another cloud is its customer too (4.1). */
function setPlatform(ctx: StepContext, names: string[]): void {
  const s = ctx.state.scope;
  s.runsOn = names.join(', ');
  s.askWhich = false;
  if (s.role === 'provider') {
    s.role = 'both';
    ctx.notes.push(ctx.m.bothRoles(s.service ?? '?', s.runsOn));
  }
}

/** Later facts in an answer: a model ("SaaS") and a platform ("on AWS", "AWS上"). */
function laterFacts(ctx: StepContext, text: string, products: Product[]): void {
  const s = ctx.state.scope;
  const model = /(?<![a-z])(iaas|paas|saas)(?![a-z])/i.exec(text);
  if (model?.[1]) s.model = parse.model(model[1]);
  const on = /(?:\bon|\bruns on|running on)\s+(.+)$/i.exec(text) ?? /([^\s、,]+?)\s*(?:上で|上に|上の|の上)/.exec(text);
  const platform = on?.[1] ? parse.platform(on[1], products) : undefined;
  if (platform && typeof platform === 'object' && s.role !== 'customer') setPlatform(ctx, platform.names);
}

export const serviceStep: StepHandler = {
  prompt: (state, deps) => ({
    text: messages(state.lang).serviceQ,
    choices: deps.profile?.services.map((x) => ({ value: x.name, label: x.name })),
  }),
  answer(ctx) {
    const n = /^\d+$/.test(ctx.text) ? Number(ctx.text) : 0;
    const picked = n ? ctx.deps.profile?.services[n - 1]?.name : undefined;
    const name = picked ?? ctx.text;
    if (!name || name.length > 100) return { error: ctx.m.serviceHint };
    chooseService(ctx.state, name, ctx.deps);
  },
};

export const roleStep: StepHandler = {
  prompt(state) {
    const m = messages(state.lang);
    const s = state.scope;
    if (s.fromProfile && s.role && s.model) {
      const facts = m.scopeLine(m.role(s.role), s.model, s.runsOn ?? null);
      return { text: m.profileQ(s.service ?? '?', facts), suggested: 'ok' };
    }
    return {
      text: m.roleQ(s.service ?? '?'),
      choices: (['customer', 'provider', 'both'] as const).map((value, i) => ({ value, label: m.roleChoices[i] ?? value })),
    };
  },
  answer(ctx) {
    const s = ctx.state.scope;
    if (s.fromProfile && parse.isOk(ctx.text)) {
      ctx.state.step = 'assets';
      return;
    }
    // From the profile, any fact corrects it ("PaaS", "runs on Azure"); otherwise the role is the answer.
    const before = JSON.stringify(s);
    const role = parse.role(ctx.text);
    if (role) s.role = role;
    if (role === 'customer') s.runsOn = null;
    laterFacts(ctx, ctx.text, ctx.deps.catalog.products);
    if (!role && (!s.fromProfile || JSON.stringify(s) === before)) return { error: ctx.m.roleHint(ctx.text) };
    ctx.state.step = s.fromProfile ? 'assets' : nextScopeStep(ctx.state);
  },
};

export const modelStep: StepHandler = {
  prompt: (state) => ({
    text: messages(state.lang).modelQ,
    choices: (['IaaS', 'PaaS', 'SaaS'] as const).map((m) => ({ value: m, label: m })),
    suggested: state.scope.model,
  }),
  answer(ctx) {
    const model = parse.isOk(ctx.text) && ctx.state.scope.model ? ctx.state.scope.model : parse.model(ctx.text, ctx.deps.catalog.products);
    if (!model) return { error: ctx.m.modelHint(ctx.text) };
    ctx.state.scope.model = model;
    laterFacts(ctx, ctx.text.replace(/(?<![a-z])(iaas|paas|saas)(?![a-z])/i, ''), ctx.deps.catalog.products);
    ctx.state.step = nextScopeStep(ctx.state);
  },
};

export const runsOnStep: StepHandler = {
  prompt(state) {
    const m = messages(state.lang);
    const s = state.scope;
    if (s.askWhich) return { text: m.whichQ(s.service ?? '?'), buttons: ['AWS', 'Microsoft Azure', 'Google Cloud'].map((x) => ({ value: x, label: x })) };
    return {
      text: m.runsOnQ(s.service ?? '?'),
      choices: [{ value: 'no', label: m.runsOnNo }],
      buttons: ['AWS', 'Microsoft Azure', 'Google Cloud'].map((x) => ({ value: x, label: x })),
      suggested: s.runsOn ? s.runsOn : s.runsOn === null ? 'no' : undefined,
    };
  },
  answer(ctx) {
    const s = ctx.state.scope;
    const answer = parse.platform(ctx.text, ctx.deps.catalog.products);
    if (answer === 'no') s.runsOn = null;
    else if (answer === 'yes') {
      // "yes" alone: ask which service, the step stays.
      s.askWhich = true;
      return;
    } else if (answer === 'unknown') return { error: ctx.m.runsOnUnknown };
    else if (!answer) return { error: ctx.m.runsOnHint(ctx.text) };
    else setPlatform(ctx, answer.names);
    ctx.state.step = nextScopeStep(ctx.state);
  },
};

export const assetsStep: StepHandler = {
  prompt: (state) => ({ text: messages(state.lang).assetsQ }),
  answer(ctx) {
    const { assets, missing } = parse.assets(ctx.text);
    if (missing.length || !assets.length) return { error: ctx.m.assetsMissing(missing.length ? missing : [ctx.text || '…']) };
    ctx.state.scope.assets = assets;
    ctx.state.offered = rankRisks(ctx.state, ctx.deps.catalog, ctx.deps.fit).map((r) => r.id);
    ctx.state.step = 'risks';
  },
};

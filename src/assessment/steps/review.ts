// Review and approval: the one-screen summary, "submit" tells the approvers, an approver's "approve" commits.
import type { Outcome, StepContext, StepHandler } from '../flow.js';
import { messages } from '../messages.js';
import * as parse from '../parse.js';
import { details, summary } from '../summary.js';

export function submit(ctx: StepContext): Outcome {
  ctx.state.submittedBy = ctx.input.user;
  ctx.notes.push(ctx.m.submitted);
  return { submitted: true };
}

export const reviewStep: StepHandler = {
  enter(ctx) {
    ctx.notes.push(summary(ctx.state, ctx.deps));
    ctx.details = details(ctx.state, ctx.deps);
  },
  prompt(state) {
    const m = messages(state.lang);
    return {
      text: m.reviewQ(state.submittedBy),
      choices: [...(state.submittedBy ? [] : [{ value: 'submit', label: m.submitButton }]), { value: 'approve', label: m.approveButton }],
    };
  },
  answer(ctx) {
    const { text, m, input, deps } = ctx;
    if (parse.isApprove(text)) {
      if (!deps.isApprover(input.user)) return { error: m.notApprover(input.user) };
      ctx.state.step = 'done';
      return { commit: true };
    }
    if (parse.isSubmit(text)) return submit(ctx);
    if (parse.isDetails(text)) {
      ctx.notes.push(details(ctx.state, deps));
      return;
    }
    return { error: m.reviewHint(text) };
  },
};

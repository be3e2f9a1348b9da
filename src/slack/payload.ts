// What the app accepts from Slack, checked before Bolt routes it: the kinds of request the listeners handle, with the
// fields they read, of the types they expect. Anything else is acknowledged and ignored (a kind we do not handle) or
// refused with 400 (malformed), so that no listener ever meets a null body, a missing user or an ID with a colon in it.

type Obj = Record<string, unknown>;

export type Verdict = { ok: true } | { ok: false; status: 200 | 400; reason: string };

const ok: Verdict = { ok: true };
const ignore = (reason: string): Verdict => ({ ok: false, status: 200, reason });
const bad = (reason: string): Verdict => ({ ok: false, status: 400, reason });

const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);
/** Slack IDs: users (U…, W…), channels (C…, D…, G…), teams, bots. */
const ID = /^[A-Z0-9]{1,40}$/;
/** Message timestamps: "1700000001.000100". */
const TS = /^\d{1,12}(\.\d{1,9})?$/;
const URL_RE = /^https?:\/\/\S+$/;

const id = (v: unknown) => typeof v === 'string' && ID.test(v);
const ts = (v: unknown) => typeof v === 'string' && TS.test(v);
const optional = (v: unknown, check: (x: unknown) => boolean) => v === undefined || v === null || check(v);
const str = (v: unknown) => typeof v === 'string';

/** The action IDs, view callback IDs, message shortcuts, events and command the listeners register. */
export const handled = {
  actions: /^(feedback_up|feedback_down|soa_approve|soa_reject|soa_open_form|home_missing|home_export|home_help|home_assess|assess_choice_[A-Za-z0-9_]+|assess_ok|assess_cancel|assess_multi|assess_owner|assess_form)$/,
  views: new Set(['soa_decision', 'assess_analysis']),
  shortcuts: new Set(['ask_isms']),
  events: new Set(['app_mention', 'message', 'app_home_opened', 'assistant_thread_started', 'assistant_thread_context_changed', 'app_uninstalled', 'tokens_revoked']),
  command: '/isms',
};

function checkEvent(body: Obj): Verdict {
  const ev = body.event;
  if (!isObj(ev) || !str(ev.type)) return bad('event_callback without an event type');
  if (!str(body.event_id)) return bad('event_callback without an event_id');
  if (!handled.events.has(ev.type)) return ignore(`event ${String(ev.type)} is not handled`);
  if (ev.type === 'app_home_opened') return id(ev.user) && str(ev.tab) ? ok : bad('app_home_opened without user or tab');
  // Uninstalls name their workspace in the envelope (team_id, or the enterprise of an org-wide install).
  if (ev.type === 'app_uninstalled') return ok;
  if (ev.type === 'tokens_revoked') return isObj(ev.tokens) ? ok : bad('tokens_revoked without tokens');
  if (ev.type === 'assistant_thread_started' || ev.type === 'assistant_thread_context_changed') {
    const t = ev.assistant_thread;
    if (!isObj(t) || !id(t.user_id) || !id(t.channel_id) || !ts(t.thread_ts) || !optional(t.context, isObj)) return bad(`${String(ev.type)} without a user, channel or thread`);
    return ok;
  }
  if (!id(ev.channel) || !ts(ev.ts)) return bad(`${String(ev.type)} without a channel ID or message ts`);
  if (!optional(ev.user, id) || !optional(ev.text, str) || !optional(ev.thread_ts, ts) || !optional(ev.subtype, str) || !optional(ev.bot_id, str) || !optional(ev.channel_type, str)) {
    return bad(`${String(ev.type)} with a field of the wrong type`);
  }
  return ok;
}

function checkCommand(body: Obj): Verdict {
  if (body.command !== handled.command) return ignore(`command ${String(body.command)} is not handled`);
  if (!str(body.text) || !id(body.user_id) || !id(body.channel_id) || !str(body.trigger_id) || !(str(body.response_url) && URL_RE.test(body.response_url))) {
    return bad('slash command without text, user_id, channel_id, trigger_id or response_url');
  }
  return ok;
}

function checkActions(body: Obj): Verdict {
  const actions = body.actions;
  if (!isObj(body.user) || !id(body.user.id)) return bad('block_actions without a user');
  if (!Array.isArray(actions) || !actions.length || !isObj(actions[0]) || !str(actions[0].action_id) || !str(actions[0].type)) return bad('block_actions without an action');
  const a = actions[0];
  if (!handled.actions.test(a.action_id as string)) return ignore(`action ${String(a.action_id)} is not handled`);
  if (!optional(a.value, str) || !optional(a.block_id, str) || !str(body.trigger_id)) return bad('block_actions with a field of the wrong type');
  if (!optional(body.channel, (c) => isObj(c) && id(c.id))) return bad('block_actions with a bad channel');
  if (!optional(body.message, (m) => isObj(m) && ts(m.ts) && optional(m.thread_ts, ts))) return bad('block_actions with a bad message');
  if (!optional(body.response_url, (u) => str(u) && URL_RE.test(u))) return bad('block_actions with a bad response_url');
  if (a.type === 'multi_static_select' && !(Array.isArray(a.selected_options) && a.selected_options.every((o) => isObj(o) && str(o.value)))) return bad('multi select without options');
  if (a.type === 'users_select' && !id(a.selected_user)) return bad('users select without a user');
  return ok;
}

function checkView(body: Obj): Verdict {
  const v = body.view;
  if (!isObj(body.user) || !id(body.user.id)) return bad('view_submission without a user');
  if (!isObj(v) || !str(v.callback_id)) return bad('view_submission without a view');
  if (!handled.views.has(v.callback_id)) return ignore(`view ${String(v.callback_id)} is not handled`);
  if (!str(v.private_metadata) || !isObj(v.state) || !isObj(v.state.values)) return bad('view_submission without metadata or state');
  for (const block of Object.values(v.state.values)) {
    if (!isObj(block) || !Object.values(block).every(isObj)) return bad('view_submission with malformed state');
  }
  return ok;
}

function checkShortcut(body: Obj): Verdict {
  if (!handled.shortcuts.has(body.callback_id as string)) return ignore(`shortcut ${String(body.callback_id)} is not handled`);
  const m = body.message;
  if (!isObj(body.user) || !id(body.user.id) || !isObj(body.channel) || !id(body.channel.id) || !str(body.trigger_id)) return bad('message shortcut without user, channel or trigger');
  if (!isObj(m) || !ts(m.ts) || !optional(m.thread_ts, ts) || !optional(m.text, str) || !ts(body.message_ts)) return bad('message shortcut without a message');
  return ok;
}

/** The envelope fields Bolt itself reads to route and authorize (team, enterprise, authorizations). */
function checkEnvelope(body: Obj): Verdict {
  const objOrNull = (v: unknown) => v === undefined || v === null || isObj(v);
  if (!optional(body.authorizations, (a) => Array.isArray(a) && a.every((x) => isObj(x) && optional(x.team_id, str) && optional(x.enterprise_id, str)))) return bad('malformed authorizations');
  if (!objOrNull(body.team) || !objOrNull(body.enterprise) || (isObj(body.team) && !optional(body.team.id, str))) return bad('malformed team or enterprise');
  for (const k of ['team_id', 'enterprise_id', 'api_app_id', 'token']) if (!optional(body[k], str)) return bad(`${k} is not a string`);
  if (isObj(body.user) && !optional(body.user.team_id, str)) return bad('malformed user');
  if (isObj(body.view) && !optional(body.view.app_installed_team_id, str)) return bad('malformed view');
  return ok;
}

/** Whether a parsed request body is one the app handles, one to acknowledge and ignore, or malformed. */
export function checkPayload(body: unknown): Verdict {
  if (!isObj(body)) return bad('the body is not an object');
  if (body.ssl_check === '1') return ok;
  const envelope = checkEnvelope(body);
  if (!envelope.ok) return envelope;
  if (body.command !== undefined) return checkCommand(body);
  switch (body.type) {
    case 'url_verification':
      return str(body.challenge) ? ok : bad('url_verification without a challenge');
    case 'event_callback':
      return checkEvent(body);
    case 'block_actions':
      return checkActions(body);
    case 'view_submission':
      return checkView(body);
    case 'message_action':
      return checkShortcut(body);
    case 'view_closed': case 'shortcut': case 'block_suggestion': case 'interactive_message': case 'dialog_submission': case 'app_rate_limited':
      return ignore(`${body.type} is not handled`);
    default:
      return bad(`unknown request type ${JSON.stringify(body.type)?.slice(0, 40)}`);
  }
}

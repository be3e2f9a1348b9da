// Slack's Block Kit limits, applied to every message, modal and App Home view we send. Slack refuses a whole message
// or view when one field is too long (invalid_blocks), so long stored text (a 3,160-character justification) would
// break the App Home for everyone. Long text is cut with a visible marker; a plain section is split instead.
import type { KnownBlock } from '@slack/types';

/** The limits we rely on (api.slack.com/reference/block-kit). */
export const blockLimits = {
  messageBlocks: 50,
  viewBlocks: 100,
  sectionText: 3000,
  sectionFields: 10,
  fieldText: 2000,
  headerText: 150,
  contextElements: 10,
  contextText: 2000,
  actionsElements: 25,
  buttonText: 75,
  buttonValue: 2000,
  optionText: 75,
  optionValue: 150,
  options: 100,
  label: 2000,
  hint: 2000,
  placeholder: 150,
  initialValue: 3000,
  inputMaxLength: 3000,
  viewTitle: 24,
  privateMetadata: 3000,
  messageText: 40000,
} as const;

/** Marks text that was cut to fit a limit; the whole text stays in the store (`soa show`, exports). */
export const cutMarker = '… [✂]';

/** `text` cut to at most `max` characters, ending with the marker; never splits a surrogate pair. */
export function fit(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = Math.max(0, max - cutMarker.length);
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1;
  return text.slice(0, end) + cutMarker;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);

/** A text object ({ type, text }) with its text cut to `max`. */
function fitText(t: unknown, max: number): unknown {
  if (!isObj(t) || typeof t.text !== 'string') return t;
  return t.text.length <= max ? t : { ...t, text: fit(t.text, max) };
}

function fitOption(o: unknown): unknown {
  if (!isObj(o)) return o;
  return { ...o, text: fitText(o.text, blockLimits.optionText), ...(typeof o.value === 'string' ? { value: fit(o.value, blockLimits.optionValue) } : {}) };
}

/** An interactive element: button, select, text input, checkboxes, … */
function fitElement(e: unknown): unknown {
  if (!isObj(e)) return e;
  const out: Obj = { ...e };
  if (e.type === 'button') {
    out.text = fitText(e.text, blockLimits.buttonText);
    if (typeof e.value === 'string') out.value = fit(e.value, blockLimits.buttonValue);
  }
  if (e.placeholder) out.placeholder = fitText(e.placeholder, blockLimits.placeholder);
  if (Array.isArray(e.options)) out.options = e.options.slice(0, blockLimits.options).map(fitOption);
  if (e.initial_option) out.initial_option = fitOption(e.initial_option);
  if (Array.isArray(e.initial_options)) out.initial_options = e.initial_options.map(fitOption);
  if (e.type === 'plain_text_input') {
    const max = Math.min(typeof e.max_length === 'number' ? e.max_length : blockLimits.inputMaxLength, blockLimits.inputMaxLength);
    out.max_length = max;
    if (typeof e.initial_value === 'string') out.initial_value = fit(e.initial_value, max);
  }
  return out;
}

/** Splits long text at line ends into pieces of at most `max` characters. */
function pieces(text: string, max: number): string[] {
  const out: string[] = [];
  let rest = text;
  while (rest.length > max) {
    let cut = rest.lastIndexOf('\n', max);
    if (cut <= max / 2) cut = max;
    const code = rest.charCodeAt(cut - 1);
    if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
    out.push(rest.slice(0, cut));
    rest = rest.slice(cut).replace(/^\n+/, '');
  }
  if (rest) out.push(rest);
  return out;
}

// The fitter works on blocks as JSON (any kind, any field), so one rule covers every text it knows; the exported
// functions take and give @slack/types blocks and views, and the conversion happens once, at that edge.

function fitBlock(b: Obj): Obj[] {
  switch (b.type) {
    case 'section': {
      const text = b.text as Obj | undefined;
      const long = isObj(text) && typeof text.text === 'string' && text.text.length > blockLimits.sectionText;
      // A plain section (no accessory, fields or ID that something refers to) is split; nothing is cut.
      if (long && !b.accessory && !b.fields && !b.block_id) return pieces(text.text as string, blockLimits.sectionText).map((p) => ({ ...b, text: { ...text, text: p } }));
      const out: Obj = { ...b };
      if (long) out.text = fitText(text, blockLimits.sectionText);
      if (Array.isArray(b.fields)) out.fields = b.fields.slice(0, blockLimits.sectionFields).map((f) => fitText(f, blockLimits.fieldText));
      if (b.accessory) out.accessory = fitElement(b.accessory);
      return [out];
    }
    case 'header':
      return [{ ...b, text: fitText(b.text, blockLimits.headerText) }];
    case 'context':
      return [{ ...b, elements: Array.isArray(b.elements) ? b.elements.slice(0, blockLimits.contextElements).map((e) => fitText(e, blockLimits.contextText)) : b.elements }];
    case 'actions':
      return [{ ...b, elements: Array.isArray(b.elements) ? b.elements.slice(0, blockLimits.actionsElements).map(fitElement) : b.elements }];
    case 'input':
      return [{ ...b, label: fitText(b.label, blockLimits.label), ...(b.hint ? { hint: fitText(b.hint, blockLimits.hint) } : {}), element: fitElement(b.element) }];
    default:
      return [b];
  }
}

function fitAll(blocks: Obj[], maxBlocks: number): Obj[] {
  const out = blocks.flatMap(fitBlock);
  if (out.length <= maxBlocks) return out;
  const left = out.length - (maxBlocks - 1);
  return [...out.slice(0, maxBlocks - 1), { type: 'context', elements: [{ type: 'mrkdwn', text: `${cutMarker} +${left}` }] }];
}

/** Blocks within Block Kit's limits; beyond `maxBlocks` the rest is replaced by a note that says how many were left out. */
export function fitBlocks(blocks: readonly KnownBlock[], maxBlocks: number = blockLimits.messageBlocks): KnownBlock[] {
  return fitAll(blocks as readonly object[] as Obj[], maxBlocks) as object[] as KnownBlock[];
}

/** A modal or App Home view (@slack/types View) within the limits: its blocks, title, buttons and metadata. */
export function fitView<V extends object>(view: V): V {
  const v = view as Obj;
  const out: Obj = { ...v, blocks: fitAll(Array.isArray(v.blocks) ? (v.blocks as Obj[]) : [], blockLimits.viewBlocks) };
  for (const k of ['title', 'submit', 'close']) if (v[k]) out[k] = fitText(v[k], blockLimits.viewTitle);
  if (typeof v.private_metadata === 'string' && v.private_metadata.length > blockLimits.privateMetadata) {
    throw new Error(`private_metadata is ${v.private_metadata.length} characters; Slack allows ${blockLimits.privateMetadata}`);
  }
  return out as object as V;
}

/**
 * A tiny, fully offline BERT-style feature-extraction model for tests.
 *
 * `createTinyModel(dir)` writes `dir/<modelId>/` with the same files a hub repo
 * (e.g. Xenova/all-MiniLM-L6-v2) has — `config.json`, `tokenizer.json`,
 * `tokenizer_config.json`, `special_tokens_map.json`, `vocab.txt` and
 * `onnx/model.onnx` — so transformers.js loads it through its normal path:
 *
 *   env.localModelPath = dir; env.allowRemoteModels = false; env.allowLocalModels = true;
 *   const fe = await pipeline('feature-extraction', modelId, { dtype: 'fp32' });
 *   const t = await fe(['backup snapshot'], { pooling: 'mean', normalize: true });
 *
 * Only `onnx/model.onnx` (fp32) is written: transformers.js maps dtype to a file
 * suffix (fp32 → model.onnx, q8 → model_quantized.onnx, fp16 → model_fp16.onnx, …),
 * so `dtype` must be 'fp32' (or omitted: the Node 'cpu' default is fp32, but then
 * transformers.js prints `dtype not specified for "model"…`).
 *
 * The ONNX graph is hand-encoded protobuf (opset 13, IR 8), no dependencies:
 *
 *   last_hidden_state = (Gather(word_embeddings, input_ids)
 *                        + Gather(token_type_embeddings, token_type_ids))
 *                       * Unsqueeze(Cast<float>(attention_mask), [-1])
 *
 * i.e. a "BERT" with zero layers. All three BERT inputs are declared and used, as in a
 * real export. Embeddings are deterministic (seeded PRNG, hashed per token) and built
 * so that related words are close: every word in a synonym group is
 * 0.9·group + 0.45·noise (then unit length), group directions are mutually orthogonal,
 * ungrouped content words are random unit vectors, function words / kana / subword
 * suffixes have norm 0.3 (a crude IDF), [CLS]/[SEP]/[MASK] have norm 0.05 and [PAD] is 0.
 * Groups are shared across English, katakana words and kanji, so e.g. 「バックアップ」
 * and 「復元」 land near "backup" and "restore".
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TinyModel {
  /** Model id to pass to `pipeline()` (a valid "owner/name" hub id, resolved under `env.localModelPath`). */
  modelId: string;
  /** Absolute directory holding the model files (`dir/<modelId>`). */
  modelDir: string;
  /** Embedding dimension (`hidden_size`). */
  dim: number;
}

const SEED = 0x15_3527_01;

// ---------------------------------------------------------------- vocabulary

const SPECIALS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'] as const;

/** Synonym groups: each member shares most of its vector with the group direction. */
const GROUPS: Record<string, string[]> = {
  backup: [
    'backup', 'backups', 'restore', 'restoration', 'restoring', 'snapshot', 'snapshots', 'recovery', 'recover',
    'replica', 'replication', 'redundancy', 'archive', 'bcp', 'continuity', 'failover',
    'バックアップ', 'リストア', 'スナップショット', 'リカバリ', '復', '旧',
  ],
  crypto: [
    'encryption', 'encrypt', 'encrypted', 'decryption', 'decrypt', 'key', 'keys', 'cryptography', 'cryptographic',
    'cipher', 'certificate', 'certificates', 'tls', 'ssl', 'hsm', 'kms', 'hash', 'signature',
    '暗', '号', '鍵', '証', '明', '書',
  ],
  logging: [
    'log', 'logs', 'logging', 'monitoring', 'monitor', 'audit', 'auditing', 'trail', 'event', 'events', 'alert',
    'alerts', 'siem', 'record', 'records', 'evidence', 'clock', 'timestamp',
    'ログ', 'モニタリング', '監', '視', '査', '記', '録',
  ],
  deletion: [
    'delete', 'deletion', 'deleted', 'removal', 'remove', 'erase', 'erasure', 'disposal', 'dispose', 'return',
    'termination', 'terminate', 'sanitization', 'destruction', 'destroy', 'wipe', 'offboarding',
    '削', '除', '廃', '棄', '消', '去', '返', '却', '終', '了',
  ],
  access: [
    'access', 'authentication', 'authorization', 'password', 'passwords', 'credential', 'credentials', 'mfa',
    'privilege', 'privileged', 'privileges', 'identity', 'account', 'accounts', 'login', 'role', 'roles',
    'permission', 'permissions', 'admin', 'administrator',
    'パスワード', 'アクセス', '認', '権', '限',
  ],
  network: [
    'network', 'networks', 'firewall', 'segmentation', 'vpn', 'traffic', 'port', 'subnet', 'dns', 'routing',
    'isolation', 'segregation', 'vlan', 'ネットワーク', 'ファイアウォール', '通', '信', '網',
  ],
  virtualization: [
    'virtual', 'virtualization', 'virtualized', 'machine', 'machines', 'vm', 'vms', 'hypervisor', 'container',
    'containers', 'image', 'images', 'instance', 'instances', 'マシン', 'コンテナ', '仮', '想',
  ],
  cloud: [
    'cloud', 'provider', 'providers', 'customer', 'customers', 'csp', 'csc', 'saas', 'iaas', 'paas', 'tenant',
    'tenants', 'multi', 'shared', 'responsibility', 'supplier', 'suppliers', 'vendor',
    'クラウド', 'プロバイダ', 'カスタマ', '顧', '客', '提', '供',
  ],
  contract: [
    'contract', 'contracts', 'agreement', 'agreements', 'sla', 'legal', 'regulation', 'regulations',
    'jurisdiction', 'law', 'laws', 'regulatory', 'terms', 'clause', '契', '約', '法', '令',
  ],
  incident: [
    'incident', 'incidents', 'breach', 'breaches', 'vulnerability', 'vulnerabilities', 'threat', 'threats',
    'attack', 'attacks', 'malware', 'patch', 'patching', 'outage', 'インシデント', '障', '害', '脆', '弱',
  ],
  risk: [
    'risk', 'risks', 'assessment', 'treatment', 'policy', 'policies', 'governance', 'procedure', 'procedures',
    'compliance', 'certification', 'isms', 'iso', 'iec', 'soa', 'applicability', 'リスク', '評', '価', '方', '針',
  ],
};

/** Content words without a group: random unit vectors. */
const CONTENT_WORDS = [
  'data', 'information', 'system', 'systems', 'security', 'secure', 'service', 'services', 'user', 'users',
  'asset', 'assets', 'inventory', 'physical', 'environment', 'environments', 'server', 'servers', 'storage',
  'database', 'application', 'applications', 'software', 'hardware', 'operation', 'operations', 'operational',
  'change', 'changes', 'capacity', 'time', 'management', 'manage', 'managed', 'control', 'controls', 'objective',
  'requirement', 'requirements', 'standard', 'standards', 'organization', 'organizational', 'personnel', 'staff',
  'employee', 'employees', 'training', 'awareness', 'document', 'documented', 'documentation', 'review',
  'reviews', 'test', 'testing', 'development', 'developer', 'code', 'source', 'configuration', 'capability',
  'availability', 'integrity', 'confidentiality', 'privacy', 'personal', 'pii', 'protection', 'protect',
  'protected', 'sensitive', 'classification', 'label', 'labelling', 'media', 'removable', 'mobile', 'device',
  'devices', 'remote', 'work', 'working', 'office', 'facility', 'facilities', 'equipment', 'cabling', 'power',
  'maintenance', 'location', 'region', 'country', 'transfer', 'transmission', 'communication', 'communications',
  'interface', 'api', 'portal', 'console', 'web', 'internet', 'email', 'message', 'file', 'files', 'copy',
  'copies', 'retention', 'period', 'schedule', 'daily', 'weekly', 'regular', 'frequency', 'owner', 'ownership',
  'party', 'third', 'external', 'internal', 'scope', 'boundary', 'boundaries', 'plan', 'planning', 'process',
  'processes', 'activity', 'activities', 'report', 'reporting', 'notification', 'notify', 'contact', 'authority',
  'authorities', 'segment', 'resource', 'resources', 'allocation', 'performance', 'usage', 'measure', 'measurement',
  'metric', 'metrics', 'improvement', 'nonconformity', 'corrective', 'action', 'actions', 'leadership', 'top',
  'objectives', 'context', 'interested', 'parties', 'statement', 'evaluation',
  'question', 'answer', 'guidance', 'implementation', 'implement', 'implemented', 'ensure', 'provide', 'provided',
  'use', 'used', 'using', 'need', 'needs', 'new', 'same', 'different', 'separate', 'separated', 'clear',
  'responsible', 'approval', 'approved', 'request', 'requests', 'jip', 'cld',
  'データ', 'サービス', 'セキュリティ', 'システム', 'クラウドサービス',
];

/** Function words: low-norm random vectors (they barely move a mean-pooled sentence). */
const FUNCTION_WORDS = [
  'the', 'a', 'an', 'of', 'to', 'and', 'or', 'in', 'on', 'at', 'for', 'with', 'by', 'from', 'as', 'is', 'are',
  'was', 'were', 'be', 'been', 'being', 'it', 'its', 'this', 'that', 'these', 'those', 'we', 'our', 'us', 'you',
  'your', 'they', 'their', 'them', 'he', 'she', 'i', 'my', 'how', 'what', 'when', 'where', 'which', 'who', 'why',
  'do', 'does', 'did', 'not', 'no', 'can', 'could', 'will', 'would', 'shall', 'should', 'must', 'may', 'have',
  'has', 'had', 'if', 'then', 'than', 'so', 'such', 'all', 'any', 'each', 'every', 'other', 'also', 'about',
  'into', 'after', 'before', 'between', 'during', 'within', 'without', 'under', 'over', 'per', 'up', 'out',
  'there', 'here', 'only', 'more', 'most', 'some', 'both', 'own', 'via', 'e', 'g', 'etc',
  'する', 'ます', 'です', 'こと', 'ため', 'について', 'どう', 'どの', 'よう',
];

const PUNCTUATION = [
  ...'.,;:!?\'"()[]{}-/\\&%#@_*+=<>|~`$^', '‘', '’', '“', '”', '–', '—', '…',
  '、', '。', '「', '」', '・', '（', '）', '？', '！',
];
const DIGITS = [...'0123456789'];
const SUFFIXES = ['##s', '##es', '##ed', '##ing', '##ly', '##er', '##ion', '##al', '##ity', '##ment'];

/** Common kanji without a group (each kanji is its own token: the BERT normalizer splits CJK ideographs). */
const KANJI = [...'情報資産管理者利用事業全安保護取得実施対策要求組織人的物理技術運用開発変更設定規程手順文書教育'
  + '訓練外部委託国内海地域個別責任分離境界範囲計画確認承認報告連絡定期的適切必要場合対象内容時間期間'];

/** Hiragana U+3041–U+3096 and katakana U+30A1–U+30FA plus ー: tokens for any kana run via "##" pieces. */
function kana(): string[] {
  const out: string[] = [];
  for (let c = 0x3041; c <= 0x3096; c++) out.push(String.fromCharCode(c));
  for (let c = 0x30a1; c <= 0x30fa; c++) out.push(String.fromCharCode(c));
  out.push('ー');
  return out;
}

type Kind = 'special' | 'group' | 'content' | 'function';
interface Entry { token: string; kind: Kind; group?: string }

/** Strings that are not CJK ideographs or punctuation get a "##" twin so they also match inside a run. */
function needsContinuation(token: string): boolean {
  return /^[\u3041-\u30ff]+$/u.test(token);
}

function buildVocab(): Entry[] {
  const entries: Entry[] = [];
  const seen = new Set<string>();
  const add = (token: string, kind: Kind, group?: string) => {
    if (seen.has(token)) return;
    seen.add(token);
    entries.push({ token, kind, group });
  };
  const addWithTwin = (token: string, kind: Kind, group?: string) => {
    add(token, kind, group);
    if (needsContinuation(token)) add(`##${token}`, kind, group);
  };
  for (const s of SPECIALS) add(s, 'special');
  for (const p of PUNCTUATION) add(p, 'function');
  for (const d of DIGITS) add(d, 'function');
  for (const [group, words] of Object.entries(GROUPS)) for (const w of words) addWithTwin(w, 'group', group);
  for (const w of CONTENT_WORDS) addWithTwin(w, 'content');
  for (const w of FUNCTION_WORDS) addWithTwin(w, 'function');
  for (const s of SUFFIXES) add(s, 'function');
  for (const k of KANJI) add(k, 'content');
  for (const k of kana()) addWithTwin(k, 'function');
  return entries;
}

// ---------------------------------------------------------------- deterministic vectors

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (const b of Buffer.from(s, 'utf8')) {
    h ^= b;
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard-normal vector seeded by a string (Box–Muller). */
function gaussian(name: string, dim: number): Float64Array {
  const rnd = mulberry32(fnv1a(name) ^ SEED);
  const v = new Float64Array(dim);
  for (let i = 0; i < dim; i += 2) {
    const u1 = Math.max(rnd(), 1e-12);
    const u2 = rnd();
    const r = Math.sqrt(-2 * Math.log(u1));
    v[i] = r * Math.cos(2 * Math.PI * u2);
    if (i + 1 < dim) v[i + 1] = r * Math.sin(2 * Math.PI * u2);
  }
  return v;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

function scaleTo(v: Float64Array, norm: number): Float64Array {
  const n = Math.sqrt(dot(v, v)) || 1;
  for (let i = 0; i < v.length; i++) v[i] = (v[i]! / n) * norm;
  return v;
}

/** Unit group directions, Gram–Schmidt-orthogonalised while there is room (groups ≤ dim). */
function groupDirections(dim: number): Map<string, Float64Array> {
  const dirs = new Map<string, Float64Array>();
  const basis: Float64Array[] = [];
  for (const name of Object.keys(GROUPS)) {
    const v = gaussian(`group:${name}`, dim);
    if (basis.length < dim) {
      for (const b of basis) {
        const p = dot(v, b);
        for (let i = 0; i < dim; i++) v[i] = v[i]! - p * b[i]!;
      }
      scaleTo(v, 1);
      basis.push(v);
    } else {
      scaleTo(v, 1);
    }
    dirs.set(name, v);
  }
  return dirs;
}

function embeddingTable(vocab: Entry[], dim: number): Float32Array {
  const table = new Float32Array(vocab.length * dim);
  const dirs = groupDirections(dim);
  vocab.forEach((e, row) => {
    // "##x" shares its vector with "x": same word, different position in a run.
    const base = e.token.startsWith('##') && e.token.length > 2 ? e.token.slice(2) : e.token;
    let v: Float64Array;
    if (e.token === '[PAD]') {
      v = new Float64Array(dim);
    } else if (e.kind === 'special') {
      v = scaleTo(gaussian(`special:${e.token}`, dim), e.token === '[UNK]' ? 0.3 : 0.05);
    } else if (e.kind === 'group') {
      const g = dirs.get(e.group!)!;
      const noise = scaleTo(gaussian(`word:${base}`, dim), 1);
      v = new Float64Array(dim);
      for (let i = 0; i < dim; i++) v[i] = 0.9 * g[i]! + 0.45 * noise[i]!;
      scaleTo(v, 1);
    } else {
      v = scaleTo(gaussian(`word:${e.token}`, dim), e.kind === 'content' ? 1 : 0.3);
    }
    for (let i = 0; i < dim; i++) table[row * dim + i] = v[i]!;
  });
  return table;
}

// ---------------------------------------------------------------- minimal protobuf writer

type Bytes = Uint8Array;

function varint(value: number | bigint): Bytes {
  let v = BigInt.asUintN(64, BigInt(value));
  const out: number[] = [];
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v !== 0n) byte |= 0x80;
    out.push(byte);
  } while (v !== 0n);
  return Uint8Array.from(out);
}

const concat = (parts: Bytes[]): Bytes => Buffer.concat(parts);
const key = (field: number, wire: 0 | 2) => varint((field << 3) | wire);
/** Varint field (int32/int64/enum). */
const fInt = (field: number, v: number | bigint): Bytes => concat([key(field, 0), varint(v)]);
/** Length-delimited field (bytes / string / embedded message). */
const fBytes = (field: number, b: Bytes): Bytes => concat([key(field, 2), varint(b.length), b]);
const fStr = (field: number, s: string): Bytes => fBytes(field, Buffer.from(s, 'utf8'));
const fMsg = (field: number, parts: Bytes[]): Bytes => fBytes(field, concat(parts));

// onnx.proto numbers (TensorProto.DataType, AttributeProto.AttributeType)
const FLOAT = 1;
const INT64 = 7;
const ATTR_INT = 2;

/** TensorProto: dims=1, data_type=2, name=8, raw_data=9 (little-endian). */
function tensor(name: string, dims: number[], dataType: number, raw: Bytes): Bytes[] {
  return [...dims.map((d) => fInt(1, d)), fInt(2, dataType), fStr(8, name), fBytes(9, raw)];
}

/** ValueInfoProto{name=1, type=2: TypeProto{tensor_type=1: {elem_type=1, shape=2: {dim=1: {dim_value=1 | dim_param=2}}}}} */
function valueInfo(name: string, elemType: number, shape: Array<number | string>): Bytes[] {
  const dims = shape.map((d) => fMsg(1, [typeof d === 'number' ? fInt(1, d) : fStr(2, d)]));
  return [fStr(1, name), fMsg(2, [fMsg(1, [fInt(1, elemType), fMsg(2, dims)])])];
}

/** NodeProto: input=1, output=2, name=3, op_type=4, attribute=5. */
function node(op: string, name: string, inputs: string[], outputs: string[], attrs: Bytes[][] = []): Bytes[] {
  return [
    ...inputs.map((i) => fStr(1, i)),
    ...outputs.map((o) => fStr(2, o)),
    fStr(3, name),
    fStr(4, op),
    ...attrs.map((a) => fMsg(5, a)),
  ];
}

/** AttributeProto: name=1, i=3, type=20. */
const intAttr = (name: string, v: number): Bytes[] => [fStr(1, name), fInt(3, v), fInt(20, ATTR_INT)];

function float32LE(data: Float32Array): Bytes {
  const buf = Buffer.alloc(data.length * 4);
  for (let i = 0; i < data.length; i++) buf.writeFloatLE(data[i]!, i * 4);
  return buf;
}

function int64LE(values: number[]): Bytes {
  const buf = Buffer.alloc(values.length * 8);
  values.forEach((v, i) => buf.writeBigInt64LE(BigInt(v), i * 8));
  return buf;
}

function onnxModel(wordEmbeddings: Float32Array, vocabSize: number, dim: number): Bytes {
  const io: Array<number | string> = ['batch_size', 'sequence_length'];
  const graph: Bytes[] = [
    fMsg(1, node('Gather', 'word_gather', ['word_embeddings', 'input_ids'], ['words'], [intAttr('axis', 0)])),
    fMsg(1, node('Gather', 'type_gather', ['token_type_embeddings', 'token_type_ids'], ['types'], [intAttr('axis', 0)])),
    fMsg(1, node('Add', 'embed_add', ['words', 'types'], ['embeddings'])),
    fMsg(1, node('Cast', 'mask_cast', ['attention_mask'], ['mask_f'], [intAttr('to', FLOAT)])),
    fMsg(1, node('Unsqueeze', 'mask_unsqueeze', ['mask_f', 'unsqueeze_axes'], ['mask_3d'])),
    fMsg(1, node('Mul', 'mask_mul', ['embeddings', 'mask_3d'], ['last_hidden_state'])),
    fStr(2, 'tiny_bert'),
    fMsg(5, tensor('word_embeddings', [vocabSize, dim], FLOAT, float32LE(wordEmbeddings))),
    fMsg(5, tensor('token_type_embeddings', [2, dim], FLOAT, float32LE(new Float32Array(2 * dim)))),
    fMsg(5, tensor('unsqueeze_axes', [1], INT64, int64LE([-1]))),
    fMsg(11, valueInfo('input_ids', INT64, io)),
    fMsg(11, valueInfo('attention_mask', INT64, io)),
    fMsg(11, valueInfo('token_type_ids', INT64, io)),
    fMsg(12, valueInfo('last_hidden_state', FLOAT, [...io, dim])),
  ];
  // ModelProto: ir_version=1, producer_name=2, producer_version=3, graph=7, opset_import=8{domain=1, version=2}
  return concat([
    fInt(1, 8),
    fStr(2, 'isms-tiny-model'),
    fStr(3, '1'),
    fMsg(7, graph),
    fMsg(8, [fStr(1, ''), fInt(2, 13)]),
  ]);
}

// ---------------------------------------------------------------- tokenizer + config files

function tokenizerJson(vocab: Entry[]): unknown {
  const ids = Object.fromEntries(vocab.map((e, i) => [e.token, i]));
  const special = (t: string) => ({
    id: ids[t], content: t, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true,
  });
  const st = (t: string, typeId: number) => ({ SpecialToken: { id: t, type_id: typeId } });
  const seq = (id: 'A' | 'B', typeId: number) => ({ Sequence: { id, type_id: typeId } });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: SPECIALS.map(special),
    normalizer: {
      type: 'BertNormalizer',
      clean_text: true,
      handle_chinese_chars: true,
      // false (not bert-base-uncased's null): NFD accent stripping would remove the dakuten from が, デ, …
      strip_accents: false,
      lowercase: true,
    },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [st('[CLS]', 0), seq('A', 0), st('[SEP]', 0)],
      pair: [st('[CLS]', 0), seq('A', 0), st('[SEP]', 0), seq('B', 1), st('[SEP]', 1)],
      special_tokens: {
        '[CLS]': { id: '[CLS]', ids: [ids['[CLS]']], tokens: ['[CLS]'] },
        '[SEP]': { id: '[SEP]', ids: [ids['[SEP]']], tokens: ['[SEP]'] },
      },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: '[UNK]',
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 100,
      vocab: ids,
    },
  };
}

function tokenizerConfig(vocab: Entry[]): unknown {
  const addedTokensDecoder = Object.fromEntries(
    vocab.slice(0, SPECIALS.length).map((e, i) => [String(i), {
      content: e.token, lstrip: false, normalized: false, rstrip: false, single_word: false, special: true,
    }]),
  );
  return {
    tokenizer_class: 'BertTokenizer',
    added_tokens_decoder: addedTokensDecoder,
    clean_up_tokenization_spaces: true,
    do_basic_tokenize: true,
    do_lower_case: true,
    strip_accents: false,
    tokenize_chinese_chars: true,
    model_max_length: 512,
    never_split: null,
    pad_token: '[PAD]',
    unk_token: '[UNK]',
    cls_token: '[CLS]',
    sep_token: '[SEP]',
    mask_token: '[MASK]',
  };
}

function modelConfig(vocabSize: number, dim: number): unknown {
  return {
    _name_or_path: 'isms-test/tiny-bert',
    architectures: ['BertModel'],
    model_type: 'bert',
    hidden_size: dim,
    num_hidden_layers: 0,
    num_attention_heads: 1,
    intermediate_size: dim,
    hidden_act: 'gelu',
    hidden_dropout_prob: 0,
    attention_probs_dropout_prob: 0,
    max_position_embeddings: 512,
    type_vocab_size: 2,
    vocab_size: vocabSize,
    initializer_range: 0.02,
    layer_norm_eps: 1e-12,
    pad_token_id: 0,
    position_embedding_type: 'absolute',
    torch_dtype: 'float32',
    transformers_version: '4.44.0',
  };
}

// ---------------------------------------------------------------- entry point

/**
 * Writes the tiny model into `dir/<modelId>/` and returns where it is.
 * Deterministic: the same `dim` always produces byte-identical files.
 */
export function createTinyModel(dir: string, opts: { dim?: number } = {}): TinyModel {
  const dim = opts.dim ?? 32;
  if (!Number.isInteger(dim) || dim < 2 || dim > 4096) throw new RangeError(`dim must be an integer in [2, 4096], got ${dim}`);
  const modelId = `isms-test/tiny-bert-d${dim}`;
  const modelDir = join(dir, ...modelId.split('/'));
  mkdirSync(join(modelDir, 'onnx'), { recursive: true });

  const vocab = buildVocab();
  const table = embeddingTable(vocab, dim);
  const json = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`;

  writeFileSync(join(modelDir, 'config.json'), json(modelConfig(vocab.length, dim)));
  writeFileSync(join(modelDir, 'tokenizer.json'), json(tokenizerJson(vocab)));
  writeFileSync(join(modelDir, 'tokenizer_config.json'), json(tokenizerConfig(vocab)));
  writeFileSync(join(modelDir, 'special_tokens_map.json'), json({
    cls_token: '[CLS]', mask_token: '[MASK]', pad_token: '[PAD]', sep_token: '[SEP]', unk_token: '[UNK]',
  }));
  writeFileSync(join(modelDir, 'vocab.txt'), `${vocab.map((e) => e.token).join('\n')}\n`);
  writeFileSync(join(modelDir, 'onnx', 'model.onnx'), onnxModel(table, vocab.length, dim));

  return { modelId, modelDir, dim };
}

// The message catalogue: every word a reply shows that is not data, in Japanese and English, so that one reply speaks
// one language. Enum values (roles, statuses, decision states, treatments, levels, assessment steps) have a label per
// language; store errors, which the store writes in English, are translated here by their field and message; times
// are shown in ISMS_TIMEZONE with the zone named. Other rooms (the assessment flow, Slack blocks) use it too.
import type { Lang } from '../search/text.js';

export type Labels = Record<string, Record<Lang, string>>;

/** The organisation's role(s) for the 27017 guidance. */
export const roleLabels: Labels = {
  customer: { ja: 'クラウドサービスカスタマ', en: 'cloud service customer' },
  provider: { ja: 'クラウドサービスプロバイダ', en: 'cloud service provider' },
  both: { ja: 'カスタマとプロバイダの両方', en: 'both customer and provider' },
};

/** Implementation status of an SoA decision. */
export const statusLabels: Labels = {
  implemented: { ja: '実施済', en: 'Implemented' },
  partial: { ja: '一部実施', en: 'Partially implemented' },
  planned: { ja: '計画中', en: 'Planned' },
  'not-implemented': { ja: '未実施', en: 'Not implemented' },
};

/** Where a version of an SoA decision stands. */
export const decisionStateLabels: Labels = {
  approved: { ja: '承認済', en: 'approved' },
  proposed: { ja: '承認待ち', en: 'proposed' },
  rejected: { ja: '却下', en: 'rejected' },
  superseded: { ja: '置き換え済', en: 'superseded' },
};

/** Risk treatment options (ISO/IEC 27005). */
export const treatmentLabels: Labels = {
  modify: { ja: '低減（管理策で変える）', en: 'modify (apply controls)' },
  retain: { ja: '保有（受容）', en: 'retain (accept)' },
  avoid: { ja: '回避', en: 'avoid' },
  share: { ja: '共有（移転）', en: 'share (transfer)' },
};

/** Risk levels of the default ISMS_RISK_LEVELS bands; other band names are shown as configured. */
export const levelLabels: Labels = {
  low: { ja: '低', en: 'low' },
  medium: { ja: '中', en: 'medium' },
  high: { ja: '高', en: 'high' },
};

/** Status of a risk in the register. */
export const riskStatusLabels: Labels = {
  open: { ja: '未対応', en: 'open' },
  treating: { ja: '対応中', en: 'treating' },
  accepted: { ja: '受容済', en: 'accepted' },
  closed: { ja: '完了', en: 'closed' },
};

/** Steps of the guided risk assessment. */
export const stepLabels: Labels = {
  service: { ja: '対象サービス', en: 'service' },
  role: { ja: '役割', en: 'role' },
  model: { ja: 'サービスモデル', en: 'service model' },
  runsOn: { ja: '基盤サービス', en: 'platform it runs on' },
  assets: { ja: '資産', en: 'assets' },
  risks: { ja: 'リスク特定', en: 'risk identification' },
  cia: { ja: '影響する機密性・完全性・可用性', en: 'confidentiality, integrity, availability' },
  owner: { ja: 'リスク所有者', en: 'risk owner' },
  likelihood: { ja: '起こりやすさ', en: 'likelihood' },
  impact: { ja: '影響度', en: 'impact' },
  treatment: { ja: 'リスク対応', en: 'treatment' },
  controls: { ja: '管理策', en: 'controls' },
  missing: { ja: '見落としチェック', en: 'missed controls' },
  review: { ja: '承認', en: 'review' },
  done: { ja: '完了', en: 'done' },
  cancelled: { ja: '中止', en: 'cancelled' },
};

/** How answers were made. */
export const answerModeLabels: Labels = {
  extractive: { ja: '抜粋による回答', en: 'extractive' },
  llm: { ja: 'LLM による回答', en: 'LLM' },
};

/** The label of an enum value in `lang`; a value the table does not know is shown as it is. */
export function label(table: Labels, value: string, lang: Lang): string {
  return table[value]?.[lang] ?? value;
}

// ---------------------------------------------------------------------------------------------------------------------
// Times

let displayZone = 'UTC';

/** The zone times are shown in (ISMS_TIMEZONE); the chat service sets it once at start. */
export function useTimeZone(tz: string): void {
  displayZone = tz;
}

/** "2026-11-29 12:05 (Asia/Tokyo)" / "2026-11-29 12:05（Asia/Tokyo）": local time in the zone, the zone named. */
export function formatTime(iso: string, lang: Lang, tz = displayZone): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-CA', {
    timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  }).formatToParts(d).map((p) => [p.type, p.value]));
  const local = `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
  const shown: Record<Lang, string> = { ja: `${local}（${tz}）`, en: `${local} (${tz})` };
  return shown[lang];
}

// ---------------------------------------------------------------------------------------------------------------------
// Store errors

/** Field names of store errors. */
export const fieldLabels: Labels = {
  control: { ja: '管理策', en: 'control' },
  role: { ja: '役割', en: 'role' },
  applicable: { ja: '適用', en: 'applicable' },
  status: { ja: '実施状況', en: 'status' },
  justification: { ja: '除外理由', en: 'justification' },
  reason: { ja: '採用理由', en: 'reason' },
  owner: { ja: '責任者', en: 'owner' },
  evidence: { ja: '証跡', en: 'evidence' },
  by: { ja: '実施者', en: 'by' },
  source: { ja: '記録元', en: 'source' },
  version: { ja: '版', en: 'version' },
  database: { ja: 'データベース', en: 'database' },
  soa: { ja: '適用宣言書', en: 'SoA' },
  service: { ja: 'サービス', en: 'service' },
  scope: { ja: '適用範囲', en: 'scope' },
  treatment: { ja: 'リスク対応', en: 'treatment' },
  cia: { ja: 'CIA', en: 'cia' },
  review: { ja: '見直し日', en: 'review' },
  date: { ja: '日付', en: 'date' },
  approvers: { ja: '承認者', en: 'approvers' },
  add: { ja: '追加', en: 'add' },
  remove: { ja: '削除', en: 'remove' },
  channel: { ja: 'チャンネル', en: 'channel' },
  'digest-channel': { ja: 'ダイジェストの投稿先', en: 'digest channel' },
};

type Rule = [RegExp, (m: RegExpExecArray) => string];

/** Store messages (src/soa) in Japanese, matched on the English text the store writes. */
const messageRules: Rule[] = [
  [/^is required$/, () => '入力が必要です'],
  [/^is (\d+) characters long$/, (m) => `${m[1]} 文字あり、長すぎます`],
  [/^"(.*)" is not a role$/, (m) => `「${m[1]}」は役割ではありません`],
  [/^no control "(.*)" in the catalogue$/, (m) => `管理策「${m[1]}」はカタログにありません`],
  [/^(\S+) is a JIP-ISMS517 requirement, not an SoA control$/, (m) => `${m[1]} は JIP-ISMS517 の要求事項で、適用宣言書の管理策ではありません`],
  [/^(\S+) is an ISO\/IEC 27001:2022 control, but this SoA is in the 2013 edition$/, (m) => `${m[1]} は ISO/IEC 27001:2022 の管理策ですが、この適用宣言書は 2013 年版です`],
  [/^a 2013-edition SoA has one decision per control$/, () => '2013 年版の適用宣言書では管理策ごとに判断は一つです'],
  [/^(\S+) is an ISO\/IEC 27001:2022 Annex A control: one decision for the organisation$/, (m) => `${m[1]} は ISO/IEC 27001:2022 附属書 A の管理策で、組織として判断は一つです`],
  [/^(\S+) is an ISO\/IEC 27002:2013 control, and this SoA is in the 2022 edition: \S+ maps to (.+)$/, (m) => `${m[1]} は ISO/IEC 27002:2013 の管理策で、この適用宣言書は 2022 年版です（対応する管理策: ${m[2]}）`],
  [/^ISO\/IEC 27017 gives (\S+) no (\w+) guidance, so it has no \w+ row$/, (m) => `ISO/IEC 27017 は ${m[1]} に${label(roleLabels, m[2]!, 'ja')}向けの指針を定めていないため、その行はありません`],
  [/^the (\w+) role is not in scope \(roles in scope: (.*)\)$/, (m) => `${label(roleLabels, m[1]!, 'ja')}は対象の役割ではありません（対象: ${roleList(m[2]!)}）`],
  [/^(\S+) is an ISO\/IEC 27017 cloud item with one decision per role$/, (m) => `${m[1]} は ISO/IEC 27017 のクラウド項目で、役割ごとに判断します`],
  [/^(\S+) concerns no role in scope \((.*)\)$/, (m) => `${m[1]} は対象の役割（${roleList(m[2]!)}）に関係しません`],
  [/^(.+) is not an approver, so cannot (approve|reject|publish the SoA)$/, (m) => `${m[1]} は承認者ではないため、${m[2] === 'approve' ? '承認' : m[2] === 'reject' ? '却下' : '適用宣言書の公開'}できません`],
  [/^(\S+) has no pending proposal to (approve|reject)$/, (m) => `${m[1]} には${m[2] === 'approve' ? '承認' : '却下'}する提案がありません`],
  [/^the pending proposal for (\S+) is version (\d+), not (\d+): it was proposed again since$/, (m) => `${m[1]} の承認待ちの提案は v${m[2]} で、v${m[3]} ではありません（その後に再提案されました）`],
  [/^"(.*)" is not yes or no$/, (m) => `「${m[1]}」は yes / no ではありません`],
  [/^"(.*)" is not a status$/, (m) => `「${m[1]}」は実施状況ではありません`],
  [/^a control that is not applicable cannot be implemented$/, () => '適用しない管理策を「実施済」にはできません'],
  [/^a control that is not applicable needs an exclusion justification \(JIP-ISMS517 4\.2\.2\)$/, () => '適用しない管理策には除外理由が必要です（JIP-ISMS517 4.2.2）'],
  [/^reasons are reasons for inclusion, but the control is not applicable$/, () => '採用理由は適用する管理策のためのものですが、この管理策は適用しないとされています'],
  [/^is the reason for excluding a control, but the control is applicable$/, () => '除外理由は適用しない管理策のためのものですが、この管理策は適用するとされています'],
  [/^"(.*)" does not start with a reason kind$/, (m) => `「${m[1]}」は理由の種類（risk / legal / contractual / business）で始まっていません`],
  [/^(.+) is not a risk in the register$/, (m) => `${m[1]} はリスク登録簿にありません`],
  [/^"(.*)" is not a known source$/, (m) => `「${m[1]}」は記録元として認められません`],
  [/^nothing changed since version (\d+) \(published at (\S+) by (.+)\)$/, (m) => `v${m[1]}（${formatTime(m[2]!, 'ja')}、${m[3]} が公開）から変更がありません`],
  [/^the SoA has no approved decision yet, so there is nothing to publish$/, () => '承認済みの判断がまだないため、公開するものがありません'],
  [/^"(.*)" is not a treatment$/, (m) => `「${m[1]}」はリスク対応の選択肢ではありません`],
  [/^"(.*)" is not a risk status$/, (m) => `「${m[1]}」はリスクの状態ではありません`],
  [/^"(.*)" is not a date$/, (m) => `「${m[1]}」は日付ではありません`],
  [/^(.+) is damaged \((.*)\)$/, (m) => `${m[1]} が破損しています（${m[2]}）`],
  [/^(\S+) is not an approver of this workspace, so cannot change its settings$/, (m) => `${m[1]} はこのワークスペースの承認者ではないため、設定を変更できません`],
  [/^"(.*)" is not a Slack user$/, (m) => `「${m[1]}」は Slack のユーザーではありません`],
  [/^"(.*)" is not a Slack channel$/, (m) => `「${m[1]}」は Slack のチャンネルではありません`],
  [/^names nobody to add or remove$/, () => '追加・削除する人が指定されていません'],
  [/^would leave this workspace without an approver$/, () => 'このワークスペースの承認者がいなくなってしまいます'],
  [/^approvers are set by ISMS_APPROVERS in this deployment$/, () => 'このデプロイでは承認者は ISMS_APPROVERS で設定されています'],
  [/^the digest channel is set by ISMS_DIGEST_CHANNEL in this deployment$/, () => 'このデプロイではダイジェストの投稿先は ISMS_DIGEST_CHANNEL で設定されています'],
];

/** Store hints in Japanese; the chat spells fields as name=value, so the hints do too. */
const hintRules: Rule[] = [
  [/^Give a control ID such as (.+)$/, (m) => `管理策番号を指定してください（例: ${m[1]}）`],
  [/^Use role=customer or role=provider$/, () => 'role=customer または role=provider を指定してください'],
  [/^Did you mean (.*?)\? (.*)$/, (m) => `${m[1]} のことですか？`],
  [/^Record it on the 2013 control\(s\) (.+?), or move the SoA with "soa transition --to 2022"$/, (m) => `2013 年版の管理策 ${m[1]} に記録するか、「soa transition --to 2022」で適用宣言書を移行してください`],
  [/^Drop role=, or move the SoA to the 2022 edition with "soa transition --to 2022"$/, () => 'role= を外すか、「soa transition --to 2022」で 2022 年版に移行してください'],
  [/^Drop role=; roles apply to .*$/, () => 'role= を外してください。役割は ISO/IEC 27017 のクラウド項目（例: 12.3.1、CLD.9.5.1）にだけあります'],
  [/^Record the decision on (\S+?),? .*$/, (m) => `判断は ${m[1]} に記録してください`],
  [/^Use role=(\w+)(?: or role=(\w+))?$/, (m) => `role=${m[1]}${m[2] ? ` または role=${m[2]}` : ''} を指定してください`],
  [/^Record the Annex A decision on (.+?)(?: instead, or add the role to the profile \(profile set\))?$/, (m) => `附属書 A の判断を ${m[1]} に記録してください`],
  [/^Add role=customer or role=provider \(in chat: (\S+)\); for the Annex A decision use (.+)$/, (m) => `role=customer または role=provider を指定してください（チャットでは ${m[1]} とも書けます）。附属書 A の判断は ${m[2]} に記録します`],
  [/^Ask one of (.+) \(ISMS_APPROVERS\)$/, (m) => `承認者（${m[1]}）に依頼してください`],
  [/^No approvers are configured.*$/, () => '承認者が設定されていません。ISMS_APPROVERS に Slack のユーザー ID か CLI のユーザー名をカンマ区切りで設定してください'],
  [/^Its current decision \(version (\d+)\) is already approved; see "soa show (\S+) --history"$/, (m) => `現在の判断（v${m[1]}）は承認済みです。「soa history ${m[2]}」で確認できます`],
  [/^Propose one first with "soa set (\S+) \.\.\."$/, (m) => `先に「soa set ${m[1]} ...」で提案してください`],
  [/^Read it with "soa show (\S+)" and (approve|reject) version (\d+)$/, (m) => `「soa ${m[1]}」で確認し、v${m[3]} を${m[2] === 'approve' ? '承認' : '却下'}してください`],
  [/^Say whether the control is applicable.*$/, () => '適用するかどうかを applicable=yes または applicable=no で指定してください'],
  [/^Give the implementation status: status=(.+)$/, (m) => `実施状況を status=${m[1]} で指定してください`],
  [/^Use one of (.+) \(partial = partially implemented\)$/, (m) => `${m[1]!.split(', ').map((v) => `status=${v}（${label(statusLabels, v, 'ja')}）`).join('、')} のいずれかを指定してください`],
  [/^Use status=not-implemented for an excluded control, or applicable=yes$/, () => '除外する管理策は status=not-implemented にするか、applicable=yes にしてください'],
  [/^Add justification="why the control is excluded".*$/, () => '除外理由を justification="除外する理由" で書いてください（例: justification="自社データセンターなし: 物理的セキュリティは事業者の責任（契約参照）"）'],
  [/^Drop reason= ?and explain the exclusion in justification=$/, () => 'reason= を外し、除外理由を justification= に書いてください'],
  [/^Drop justification= ?and give reasons for inclusion with .*$/, () => 'justification= を外し、採用理由を reason=risk:R-1、legal:…、contractual:…、business:… で指定してください'],
  [/^Write risk:R-3, legal:<law>, contractual:<contract> or business:<need>$/, () => 'risk:R-3、legal:<法令>、contractual:<契約>、business:<事業上の必要> の形で書いてください'],
  [/^Refer to an existing risk \((.+)\) or add it with "risk add"$/, (m) => `登録済みのリスク（${m[1]}）を指定するか、「risk add」で追加してください`],
  [/^The register is empty: add the risk first with "risk add"$/, () => 'リスク登録簿が空です。先に「risk add」でリスクを追加してください'],
  [/^Say who (?:makes the decision|approves|rejects), e\.g\. by=(\S+)$/, () => '誰が行うかを指定してください'],
  [/^Keep it under (\d+) characters and link to a document for the rest$/, (m) => `${m[1]} 文字以内にし、残りは文書へのリンクにしてください`],
  [/^Ask one of (.+)$/, (m) => `承認者（${m[1]}）に依頼してください`],
  [/^No approvers are recorded for this workspace.*$/, () => 'このワークスペースには承認者が記録されていません。アプリを再インストールしてください（インストールした人が最初の承認者になります）'],
  [/^Mention the person \(@name\) or give their member ID \(U…\)$/, () => '@名前 でメンションするか、メンバー ID（U…）を指定してください'],
  [/^Write "approvers add @name" or "approvers remove @name"$/, () => '「approvers add @名前」または「approvers remove @名前」と書いてください'],
  [/^Add another approver first, then remove this one$/, () => '先に別の承認者を追加してから削除してください'],
  [/^Change (ISMS_APPROVERS|ISMS_DIGEST_CHANNEL) and restart the bot$/, (m) => `${m[1]} を変更してボットを再起動してください`],
  [/^Run "digest here" in the channel that should get the digest$/, () => 'ダイジェストを投稿したいチャンネルで「digest here」と送ってください'],
  [/^Nothing was written\..*$/, () => '何も書き込んでいません。ボットを止め、破損したファイルの写しを残して、最新のバックアップ（db backup）を ISMS_DATA_DIR に戻してください'],
  [/^Use one of (.+)$/, (m) => `${m[1]} のいずれかを指定してください`],
];

function roleList(raw: string): string {
  return raw.split(/,\s*/).map((r) => label(roleLabels, r, 'ja')).join('、');
}

function translate(rules: Rule[], text: string): string | undefined {
  for (const [re, ja] of rules) {
    const m = re.exec(text);
    if (m) return ja(m);
  }
  return undefined;
}

/**
 * A store error (field, message, hint) as the chat shows it, in `lang`. The store's hints name CLI flags
 * (--justification "..."); in chat the same field is typed justification="...". A message the catalogue does not know
 * is said in Japanese in general terms, with the store's own words in brackets.
 */
export function storeErrorText(issue: { field: string; message: string; hint: string }, lang: Lang): { message: string; hint: string } {
  const hint = issue.hint.replace(/--([a-z-]+)[ =]/g, '$1=').replace(/--([a-z-]+)\b/g, '$1=');
  if (lang === 'en') return { message: `${issue.field}: ${issue.message}`, hint };
  const numbered = /^(#\d+ )?(.+)$/.exec(issue.field)!;
  const field = `${numbered[1] ?? ''}${label(fieldLabels, numbered[2]!, 'ja')}`;
  const message = translate(messageRules, issue.message) ?? `入力を受け付けられませんでした（${issue.message}）`;
  return { message: `${field}: ${message}`, hint: translate(hintRules, hint) ?? `入力を確認してください（${hint}）` };
}

// ---------------------------------------------------------------------------------------------------------------------
// Words of the chat surfaces

/** Suggested prompts of a new assistant thread (Slack's Agents & AI Apps surface): at most 4, each a real question. */
export const suggestedPrompts: Record<Lang, { title: string; prompts: { title: string; message: string }[] }> = {
  ja: {
    title: 'よくある質問',
    prompts: [
      { title: 'バックアップの責任', message: 'バックアップは誰の責任？' },
      { title: 'IaaS のパッチ適用', message: 'EC2 のパッチ適用は自社と AWS のどちらが行う？' },
      { title: 'クラウド固有の管理策', message: 'CLD.9.5.1 の要求事項は？' },
      { title: '見落としている管理策', message: 'missing' },
    ],
  },
  en: {
    title: 'Try asking',
    prompts: [
      { title: 'Backups in SaaS', message: 'Who takes backups in SaaS, us or the vendor?' },
      { title: 'Patching in IaaS', message: 'EC2 patching: us or AWS?' },
      { title: 'A cloud control', message: 'What does CLD.9.5.1 require?' },
      { title: 'Missed controls', message: 'missing' },
    ],
  },
};

export const chatWords: Record<Lang, { working: string; loading: string[] }> = {
  ja: { working: '管理策を調べています…', loading: ['管理策を検索しています…', '回答をまとめています…'] },
  en: { working: 'is looking up the controls…', loading: ['Searching the controls…', 'Writing the answer…'] },
};

/** A thread title from the question: its first line, at most 60 characters. */
export function threadTitle(question: string): string {
  const line = question.replace(/<@[A-Z0-9]+>/g, '').trim().split('\n')[0]!.trim();
  return line.length > 60 ? `${line.slice(0, 59)}…` : line;
}

// ---------------------------------------------------------------------------------------------------------------------
// Replies of the chat service (commands, reviews, feedback)

const serviceEn = {
  incomplete: 'That command is incomplete.',
  usageHint: (message: string, _ja?: string) => message,
  notALanguage: (lang: string) => `"${lang}" is not a language I speak`,
  langSet: 'I will answer in English in this thread.',
  exportNotApprover: 'Only approvers (ISMS_APPROVERS) can export the SoA. Nothing was exported.',
  exportAskApprover: 'Ask an approver to export it.',
  notAFormat: (format: string) => `"${format}" is not an export format`,
  formatHint: (formats: readonly string[]) => `Use one of ${formats.join(', ')}, e.g. export xlsx`,
  exportTitle: (stamp: string) => `Statement of Applicability ${stamp}`,
  assessmentRunning: 'An assessment is already running in this thread.',
  assessmentRunningHint: 'Answer its question, or type "cancel" to end it.',
  reviewNotApprover: 'Only approvers (ISMS_APPROVERS) can approve or reject.',
  nothingChanged: 'Nothing was changed.',
  proposalGone: 'This proposal was already reviewed or replaced by a newer one.',
  proposalGoneHint: 'Nothing was changed. Look at the latest proposal.',
  feedbackThanks: 'Thanks for the feedback.',
  messageTooLong: (length: string, limit: string) => `The message is too long (${length} characters; the limit is ${limit}). Nothing was recorded.`,
  messageTooLongHint: 'Shorten it and send it again. Put long documents into ISMS_DOCS_DIR to search and cite them.',
  questionTooLong: (length: string, limit: string) => `The question is too long (${length} characters; the limit is ${limit}).`,
  questionTooLongHint: 'Ask it in fewer words. Put long documents into ISMS_DOCS_DIR to search and cite them.',
  approversAre: (list: string) => `Approvers of this workspace: ${list}.`,
  noApproversYet: 'No approvers are set for this workspace.',
  approversFromConfig: 'They are set by ISMS_APPROVERS in this deployment.',
  approversRecorded: 'An approver changes them with "approvers add @name" or "approvers remove @name"; each change is in the audit trail.',
  digestChannelSet: (channel: string) => `The weekly readiness digest of this workspace will be posted to <#${channel}>.`,
};

const serviceJa: typeof serviceEn = {
  incomplete: '入力の形式が正しくありません。',
  usageHint: (message, ja) => ja ?? `書き方: ${message}`,
  notALanguage: (lang) => `「${lang}」には対応していません（日本語と英語だけです）`,
  langSet: 'このスレッドでは日本語で答えます。',
  exportNotApprover: '適用宣言書を出力できるのは承認者（ISMS_APPROVERS）だけです。何も出力していません。',
  exportAskApprover: '承認者に依頼してください。',
  notAFormat: (format) => `「${format}」は出力形式ではありません`,
  formatHint: (formats) => `${formats.join('、')} のいずれかを指定してください（例: export xlsx）`,
  exportTitle: (stamp) => `適用宣言書 ${stamp}`,
  assessmentRunning: 'このスレッドではアセスメントが進行中です。',
  assessmentRunningHint: '続けて回答するか、「キャンセル」で終了してください。',
  reviewNotApprover: '承認・却下できるのは承認者（ISMS_APPROVERS）だけです。',
  nothingChanged: '判断は変更されていません。',
  proposalGone: 'この提案はすでに処理されたか、新しい提案に置き換えられています。',
  proposalGoneHint: '判断は変更されていません。最新の提案を確認してください。',
  feedbackThanks: 'フィードバックありがとうございます。',
  messageTooLong: (length, limit) => `メッセージが長すぎます（${length} 文字、上限 ${limit} 文字）。何も記録していません。`,
  messageTooLongHint: '短くして送り直してください。長い文書は ISMS_DOCS_DIR に置くと検索・引用できます。',
  questionTooLong: (length, limit) => `質問が長すぎます（${length} 文字、上限 ${limit} 文字）。`,
  questionTooLongHint: '要点を短くまとめて質問してください。長い文書は ISMS_DOCS_DIR に置くと検索・引用できます。',
  approversAre: (list) => `このワークスペースの承認者: ${list}`,
  noApproversYet: 'このワークスペースには承認者が設定されていません。',
  approversFromConfig: 'このデプロイでは ISMS_APPROVERS で設定されています。',
  approversRecorded: '承認者は「approvers add @名前」「approvers remove @名前」で変更できます。変更は監査証跡に残ります。',
  digestChannelSet: (channel) => `このワークスペースの週次レディネスダイジェストは <#${channel}> に投稿されます。`,
};

/** What the chat service itself says (src/chat/service.ts, src/chat/commands.ts), per language. */
export const serviceText: Record<Lang, typeof serviceEn> = { ja: serviceJa, en: serviceEn };

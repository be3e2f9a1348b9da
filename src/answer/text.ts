// Wording used by answers, in both languages.
import type { Lang } from '../search/text.js';

export const T = {
  en: {
    customer: 'Customer (cloud service customer)', provider: 'Provider (cloud service provider)',
    both: 'both customer and provider', intro: (topic: string) => `Controls that answer this${topic}:`,
    forRole: { customer: ' — customer side', provider: ' — provider side', both: ' — customer and provider sides' },
    purpose: 'Purpose', low: 'I could not find a control that answers this. Try naming the cloud service (EC2, Microsoft 365 …), the task (backups, patching, access reviews, logging …) or a control ID such as 12.6.1 or 5.23.',
    outOfScope: 'I can only help with information security and cloud compliance (ISO/IEC 27017, ISO/IEC 27002, ISO/IEC 27001:2022 Annex A, JIP-ISMS517). Try asking about a control, a cloud risk or an SoA decision.',
    seeAlso: 'See also', topic: 'Topic', sources: 'Sources', fromDocs: 'From your documents', removed: (ids: string) => `Note: citations not supported by the retrieved context were removed: ${ids}.`,
    fallback: (why: string) => `(The language model was unavailable (${why}); this answer comes straight from the catalogue.)`,
    in2022: (ids: string) => ` (2022: ${ids})`,
    annex2022: (isNew: boolean) => ` (ISO/IEC 27001:2022 Annex A${isNew ? ', new in 2022' : ''})`,
    control: 'Control', from2013: 'In the 2013 edition', cloudItems: 'Cloud guidance of the ISO/IEC 27017 items it maps to',
    noCloudItems: 'ISO/IEC 27017 maps no cloud guidance to this control; apply ISO/IEC 27002:2022 as it is.',
    noGuidanceFor: (role: string) => `(no ${role}-specific guidance)`,
    roleWord: { customer: 'customer', provider: 'provider' },
    twoHats: (service: string, asProvider: string, platform: string, platformModel: string, asCustomer: string) =>
      `You wear two hats. As the ${service} provider: ${asProvider} As a customer of ${platform} (${platformModel}): ${asCustomer}`,
    inModel: (where: string, first: string, other: string) => `In ${where}: ${first} ${other}`,
    whoActs: (parts: string[]) => `Who acts — ${parts.join(' · ')}.`,
    listSep: ', ', seeAlsoSep: ' · ', sentenceSep: ' ',
  },
  ja: {
    customer: 'カスタマ（クラウドサービス利用者）', provider: 'プロバイダ（クラウドサービス事業者）',
    both: 'カスタマとプロバイダの両方', intro: (topic: string) => `この質問に関係する管理策${topic}:`,
    forRole: { customer: '（カスタマ側）', provider: '（プロバイダ側）', both: '（カスタマ側・プロバイダ側）' },
    purpose: '目的', low: 'この質問に答える管理策は見つかりませんでした。クラウドサービス名（EC2、Microsoft 365 など）、作業（バックアップ、パッチ適用、アクセスの見直し、ログなど）、または 12.6.1・5.23 のような管理策番号を入れて聞き直してください。',
    outOfScope: 'お答えできるのは情報セキュリティとクラウドのコンプライアンス（ISO/IEC 27017、ISO/IEC 27002、ISO/IEC 27001:2022 附属書A、JIP-ISMS517）に関する質問です。管理策、クラウドのリスク、適用宣言書の判断などについてお尋ねください。',
    seeAlso: 'あわせて確認', topic: 'トピック', sources: '出典', fromDocs: '社内文書から', removed: (ids: string) => `注記: 検索結果に含まれない引用を削除しました: ${ids}`,
    fallback: (why: string) => `（言語モデルを利用できなかったため（${why}）、カタログから直接回答しています。）`,
    in2022: (ids: string) => `（2022年版: ${ids}）`,
    annex2022: (isNew: boolean) => `（ISO/IEC 27001:2022 附属書A${isNew ? '・2022年版で新設' : ''}）`,
    control: '管理策', from2013: '2013年版の対応管理策', cloudItems: '対応する ISO/IEC 27017 の項目とクラウドの手引',
    noCloudItems: 'この管理策に対応する ISO/IEC 27017 のクラウドの手引はありません。ISO/IEC 27002:2022 をそのまま適用します。',
    noGuidanceFor: (role: string) => `（${role}向けの手引はありません）`,
    roleWord: { customer: 'カスタマ', provider: 'プロバイダ' },
    twoHats: (service: string, asProvider: string, platform: string, platformModel: string, asCustomer: string) =>
      `2つの立場があります。${service} のプロバイダとして: ${asProvider} ${platform}（${platformModel}）のカスタマとして: ${asCustomer}`,
    inModel: (where: string, first: string, other: string) => `${where.replace(/ \((.*)\)$/, '（$1）')}の場合: ${first}${other}`,
    whoActs: (parts: string[]) => `実施の主体（責任分界）— ${parts.join('・')}。`,
    listSep: '、', seeAlsoSep: '、', sentenceSep: '',
  },
} as const;

export function roleName(lang: Lang, role: 'customer' | 'provider'): string {
  return T[lang].roleWord[role];
}

/** The first n sentences of a text. */
export function firstSentences(text: string, n: number, lang: Lang): string {
  const parts = lang === 'ja' ? text.split(/(?<=。)/) : text.split(/(?<=[.!?])\s+/);
  return parts.slice(0, n).join(T[lang].sentenceSep).trim();
}

// The bilingual help text shared by Slack (/isms help) and the console.
import type { Lang } from '../search/text.js';

export const helpText: Record<Lang, string> = {
  ja: `ISMS Cloud Assistant の使い方
• 質問をそのまま書く、または ask <質問>: 管理策を引用して回答（例: バックアップは誰の責任？）
• soa <管理策番号>: 適用宣言書の現在の判断と履歴（例: soa 12.3.1）
• soa set <管理策番号>: 判断を記録（Slack ではフォーム、コンソールでは applicable=yes|no status=implemented|partial|planned|not-implemented justification="..." owner=名前 reason=risk:R-1）
• soa approve <番号> / soa reject <番号> [理由]: 承認者が提案を承認・却下
• assess [サービス名]: リスクアセスメントを対話で実施（範囲→リスク特定→分析→対応→見落としチェック→承認）。「キャンセル」で中止
• missing: 判断が承認されていない関連管理策（JIP-ISMS517 4.2.2 c）
• export [xlsx|csv|md]: 適用宣言書を出力
• digest: 週次レディネスダイジェストのプレビュー。digest here: このチャンネルに投稿（複数ワークスペース運用、承認者）
• approvers [add|remove @名前]: 承認者の一覧・追加・削除（複数ワークスペース運用、承認者）
• lang en / lang ja: 応答言語の切替
• help: このヘルプ`,
  en: `How to use ISMS Cloud Assistant
• Just ask, or ask <question>: an answer citing the controls (e.g. Who takes backups in SaaS?)
• soa <controlId>: the current SoA decision and its history (e.g. soa 12.3.1)
• soa set <controlId>: record a decision (a form in Slack; in the console: applicable=yes|no status=implemented|partial|planned|not-implemented justification="..." owner=NAME reason=risk:R-1)
• soa approve <id> / soa reject <id> [reason]: approvers approve or reject a proposal
• assess [service]: a guided risk assessment (scope → risks → analysis → treatment → missed controls → approval); "cancel" stops it
• missing: relevant controls with no approved decision (JIP-ISMS517 4.2.2 c)
• export [xlsx|csv|md]: export the Statement of Applicability
• digest: preview the weekly readiness digest; digest here: post it to this channel (several workspaces, approvers)
• approvers [add|remove @name]: list, add or remove approvers (several workspaces, approvers)
• lang en / lang ja: switch the reply language
• help: this help`,
};

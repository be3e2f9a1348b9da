#!/usr/bin/env bash
# Renders the auditor documents to PDF with LibreOffice and keeps their first pages as PNG under docs/:
#   docs/soa-page1.png (適用宣言書) and docs/responsibility-page1.png (責任分界表).
# Needs LibreOffice Calc, a Japanese font, Carlito (Calibri's metrics, so column widths match Excel's) and poppler
# (Debian: apt-get install -y libreoffice-calc-nogui fonts-noto-cjk fonts-crosextra-carlito poppler-utils).
# Not part of `npm test`. Usage: npm run render:docs [-- OUTDIR]   (the XLSX and PDF files are kept in OUTDIR)
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in soffice pdftoppm; do
  command -v "$tool" >/dev/null || { echo "render-docs: $tool not found; install libreoffice-calc-nogui fonts-noto-cjk poppler-utils" >&2; exit 1; }
done

fonts="$(fc-list : family)"
grep -qi carlito <<<"$fonts" || echo "render-docs: warning: no Carlito font (fonts-crosextra-carlito): columns will be wider than in Excel" >&2
grep -qi 'CJK JP' <<<"$fonts" || echo "render-docs: warning: no Noto CJK font (fonts-noto-cjk): Japanese text may not show" >&2

work="$(mktemp -d)"
out="${1:-$work/out}"
mkdir -p "$out"
trap 'rm -rf "$work"' EXIT
export ISMS_DATA_DIR="$work/data" ISMS_APPROVERS=carol ISMS_SOA_EDITION=2022 ISMS_TIMEZONE=Asia/Tokyo LOG_LEVEL=warn
mkdir -p "$ISMS_DATA_DIR"
cli() { npx tsx src/cli/main.ts "$@" >/dev/null; }

# A sample organisation: a payroll SaaS provider running on AWS (both roles in scope).
cli profile set --scope "株式会社ペイクラウド: PayCloud（給与計算SaaS）の開発・運用と、その基盤となる AWS の利用" \
  --service "name=PayCloud,role=provider,model=SaaS,runs-on=AWS" --by alice
# A risk, then decisions: approved (carol is the approver), one proposal, and a long Japanese exclusion justification.
cli risk add --title "設定ミスによるテナント間のデータ露出 / Tenant data exposed by misconfiguration" --owner bob \
  --likelihood 3 --impact 5 --cia C --treatment modify --control CLD.9.5.1 --by alice
cli soa set 5.23 --applicable yes --status implemented --reason risk:R-1 --reason "contractual:AWS カスタマアグリーメント" --owner "情報システム部 IT" --by carol
cli soa set 8.13 --applicable yes --status implemented --reason risk:R-1 --owner bob --evidence restore-test-2025-03 --by carol
cli soa set 5.1 --applicable yes --status implemented --reason "business:経営方針 / management direction" --owner "CISO" --by carol
cli soa set 7.1 --applicable no --status not-implemented --by carol \
  --justification "当社は自社のデータセンタ及びサーバ室を保有しておらず、本番環境は全て AWS の東京リージョン上で稼働している。物理的セキュリティ境界は AWS の責任範囲であり、AWS の SOC 2 Type II 報告書及び ISO/IEC 27001 認証で確認している。オフィスには顧客データを保存していない。 / No own premises in scope: production runs in AWS Tokyo; physical perimeters are AWS's, checked through its SOC 2 report."
cli soa set 7.2 --applicable no --status not-implemented --justification "自社の物理的入退管理の対象となる施設がない（7.1 参照） / No premises in scope (see 7.1)" --by carol
cli soa set 5.7 --applicable yes --status planned --reason "risk:R-1" --by alice
cli soa set 12.3.1 --role provider --applicable yes --status implemented --reason risk:R-1 --owner SRE --by carol
cli soa set 12.3.1 --role customer --applicable yes --status partial --reason risk:R-1 --owner SRE --by carol
cli soa set CLD.9.5.1 --role provider --applicable yes --status implemented --reason risk:R-1 --by carol

npx tsx src/cli/main.ts soa export --format xlsx --out "$out/soa.xlsx"
npx tsx src/cli/main.ts responsibility export --service PayCloud --format xlsx --out "$out/responsibility.xlsx"

# LibreOffice needs a writable profile; a private one also avoids clashing with a running instance.
for doc in soa responsibility; do
  soffice -env:UserInstallation="file://$work/lo" --headless --convert-to pdf --outdir "$out" "$out/$doc.xlsx" >/dev/null
  pdftoppm -png -r 60 -f 1 -l 1 -singlefile "$out/$doc.pdf" "docs/$doc-page1"
  echo "docs/$doc-page1.png (page 1 of $(pdfinfo "$out/$doc.pdf" 2>/dev/null | awk '/^Pages:/ {print $2}'))${1:+; PDF and XLSX in $out}"
done

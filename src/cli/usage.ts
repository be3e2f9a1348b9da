// The CLI's help texts and command names, in a module that imports nothing: `help` prints without loading the
// catalogue, the store or any library.
export const storeHelp = `  soa set <controlId> [--role customer|provider] --applicable yes|no --by NAME
      --status implemented|partial|planned|not-implemented
      [--justification "..."] [--reason risk:R-3|legal:..|contractual:..|business:..]... [--owner NAME]
      [--evidence REF]... [--source URL] [--json]           record a decision (proposed unless --by is an approver);
                                                            2022 edition: 5.23 for Annex A, 12.3.1 --role customer or
                                                            CLD.9.5.1@provider for a 27017 cloud item per role
  soa show <controlId> [--role R] [--edition 2013|2022] [--json] [--history]
                                                            current decision, pending proposal and history
  soa list [--edition 2013|2022] [--json]                   the SoA lines with their decisions (default: the store's edition)
  soa missing [--json]                                      lines relevant to the roles in scope with no approved decision (4.2.2 c)
  soa approve <controlId> [--role R] --by NAME [--version N] approve the pending proposal you read (ISMS_APPROVERS only)
  soa reject <controlId> [--role R] --by NAME [--reason "..."] reject the pending proposal
  soa export --format xlsx|csv|md --out FILE [--draft]      the 適用宣言書 (SoA) for auditors: the latest published
                                                            version; --draft (or none published yet) prints the
                                                            current state, marked as a draft on every page
  soa publish --by APPROVER [--note "..."] [--json]         publish the next SoA version: freeze the approved
                                                            decisions and list what changed since the last version
  soa publications [--json]                                 the published SoA versions, oldest first
  soa edition [--json]                                      the Annex A edition of the SoA (2022 or 2013) and since when
  soa transition --to 2022 --by NAME [--dry-run] [--json]   propose 2022 decisions from the approved 2013 ones
  risk add --title T --owner NAME --likelihood 1-5 --impact 1-5 --cia C|I|A.. [--description D] [--service S]
      [--asset A] [--threat T] [--vulnerability V] [--treatment modify|retain|avoid|share] [--control ID]...
      [--residual 1-25] [--status open|treating|accepted|closed] [--review YYYY-MM-DD] [--by NAME] [--source URL]
                                                            register a risk (4.2.1); --owner is required
  risk update <riskId> [the risk add flags]                 record a new version of a risk
  risk list [--json] | risk show <riskId> [--json] [--history]
                                                            the risk register
  profile set --scope "..." --service "name=N,role=customer|provider|both,model=IaaS|PaaS|SaaS[,runs-on=X]"... --by NAME
                                                            the ISMS scope and its cloud services (4.1)
  profile show [--json]                                     scope, cloud services and the roles in scope (4.1)
  audit verify [--json] [--expect-head HASH]                 check the hash chain and every recorded row (read-only)
  audit log [--limit N] [--json]                            the latest audit entries
  audit record --date YYYY-MM-DD --auditor NAME --by NAME [--scope "..."] [--result "..."] [--next YYYY-MM-DD] [--json]
                                                            record an internal audit (4.3); --next defaults to
                                                            the date + ISMS_AUDIT_INTERVAL_MONTHS (12)
  audit list [--json]                                       the internal audits recorded, oldest first
  db backup <file>                                          online backup of isms.sqlite (safe while the bot runs)
  db copy-to-postgres                                       copy the SQLite store into the empty PostgreSQL database of
                                                            DATABASE_URL, row IDs and audit chain as they are
  db workspaces [--json]                                    the Slack workspaces installed (several workspaces,
                                                            PostgreSQL): who installed each, its audit chain's length`;
export const responsibilityHelp = `  responsibility export --service NAME --format xlsx|csv|md --out FILE [--lang both|ja|en]
                                                            the 責任分界表 of a cloud service of the profile: who acts
                                                            (customer, provider, shared) in its model, each side's
                                                            duties and the SoA decision, one row per SoA line`;
export const disclosureHelp = `  disclosure export --service NAME --format md|xlsx --out FILE [--lang ja|en]
                                                            the provider's disclosure pack of a provider service: what
                                                            27017 asks it to tell customers, the SoA decisions, the gaps`;
export const digestHelp = `  digest --preview [--json] [--lang ja|en] [--chart FILE]   the weekly readiness digest as it would be posted now
                                                            (--json: every metric with the IDs behind it)`;

export const storeCommandNames: string[] = ['soa', 'risk', 'profile', 'audit', 'db'];

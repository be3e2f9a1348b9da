// The Annex A edition the SoA is written against (2013 or 2022), recorded in the store and in the audit chain.
import type { Edition } from '../catalog/catalog.js';
import type { Statement } from './db.js';
import { isoDate, type StoreContext } from './context.js';
import { keyEdition } from './keys.js';

export interface EditionState {
  edition: Edition;
  /**
   * recorded: a row in soa_editions (soa transition writes one); decisions: the edition the recorded decisions are
   * written in (a store from before editions existed is 2013); default: no decision yet, so ISMS_SOA_EDITION or 2022.
   */
  from: 'recorded' | 'decisions' | 'default';
  setBy: string | null;
  setAt: string | null;
}

export class EditionStore {
  private statements?: { latest: Statement; insert: Statement };

  private readonly lastDecision: Statement;

  constructor(private readonly ctx: StoreContext) {
    this.lastDecision = ctx.db.prepare('SELECT control_id FROM decisions ORDER BY id DESC LIMIT 1');
  }

  private hasTable(): boolean {
    return !!this.statements || !!this.ctx.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'soa_editions'").get();
  }

  /** Prepared on first use: a store opened at an older schema version (migration tests) has no soa_editions table. */
  private get sql() {
    const { db } = this.ctx;
    return (this.statements ??= {
      latest: db.prepare('SELECT * FROM soa_editions ORDER BY id DESC LIMIT 1'),
      insert: db.prepare('INSERT INTO soa_editions (edition, set_by, set_at, source, note) VALUES (?, ?, ?, ?, ?)'),
    });
  }

  state(): EditionState {
    const row = !this.hasTable() ? undefined : this.sql.latest.get() as { edition: Edition; set_by: string; set_at: string } | undefined;
    if (row) return { edition: row.edition, from: 'recorded', setBy: row.set_by, setAt: row.set_at };
    const last = this.lastDecision.get() as { control_id: string } | undefined;
    if (last) return { edition: keyEdition(last.control_id), from: 'decisions', setBy: null, setAt: null };
    return { edition: this.ctx.defaultEdition, from: 'default', setBy: null, setAt: null };
  }

  current(): Edition {
    return this.state().edition;
  }

  /** Records a change of edition (soa transition). Call inside a transaction. */
  record(edition: Edition, by: string, source: string, note?: string): void {
    const at = isoDate(this.ctx.now());
    const id = Number(this.sql.insert.run(edition, by, at, source, note ?? null).lastInsertRowid);
    this.ctx.audit.append({ at, actor: by, action: 'soa.edition', subject: `ISO/IEC 27001:${edition}`, table: 'soa_editions', row: id, extra: { edition } });
  }
}

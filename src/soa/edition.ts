// The Annex A edition the SoA is written against (2013 or 2022), recorded in the store and in the audit chain.
import type { Edition } from '../catalog/catalog.js';
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
  constructor(private readonly ctx: StoreContext) {}

  async state(): Promise<EditionState> {
    return await this.ctx.db.read(async () => this.stateNow());
  }

  private async stateNow(): Promise<EditionState> {
    const { db } = this.ctx;
    // A store opened at an older schema version (migration tests) has no soa_editions table.
    const row = !db.hasTable('soa_editions') ? undefined : await db.get<{ edition: Edition; set_by: string; set_at: string }>('SELECT * FROM soa_editions ORDER BY id DESC LIMIT 1');
    if (row) return { edition: row.edition, from: 'recorded', setBy: row.set_by, setAt: row.set_at };
    const last = await db.get<{ control_id: string }>('SELECT control_id FROM decisions ORDER BY id DESC LIMIT 1');
    if (last) return { edition: keyEdition(last.control_id), from: 'decisions', setBy: null, setAt: null };
    return { edition: this.ctx.defaultEdition, from: 'default', setBy: null, setAt: null };
  }

  async current(): Promise<Edition> {
    return (await this.state()).edition;
  }

  /** Records a change of edition (soa transition). Call inside a transaction. */
  async record(edition: Edition, by: string, source: string, note?: string): Promise<void> {
    const at = isoDate(this.ctx.now());
    const written = await this.ctx.db.insert('soa_editions', { edition, set_by: by, set_at: at, source, note: note ?? null });
    await this.ctx.audit.append({ at, actor: by, action: 'soa.edition', subject: `ISO/IEC 27001:${edition}`, table: 'soa_editions', row: written.id as number, written, extra: { edition } });
  }
}

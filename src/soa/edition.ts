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
    // Read once per write transaction: only record() and a decision's insert (noteDecision) change it there.
    const memo = db.memo();
    const known = memo?.get('edition.state') as EditionState | undefined;
    if (known) return known;
    const state = await this.read();
    memo?.set('edition.state', state);
    return state;
  }

  private async read(): Promise<EditionState> {
    const { db } = this.ctx;
    // A store opened at an older schema version (migration tests) has no soa_editions table.
    if (!db.hasTable('soa_editions')) {
      const last = await db.get<{ control_id: string }>('SELECT control_id FROM decisions ORDER BY id DESC LIMIT 1');
      return this.from(undefined, last?.control_id);
    }
    // One statement: the edition recorded last, and the newest decision's key for a store that recorded none.
    const row = await db.get<{ edition: Edition | null; set_by: string | null; set_at: string | null; last_control: string | null }>(
      `SELECT e.edition, e.set_by, e.set_at, (SELECT control_id FROM decisions ORDER BY id DESC LIMIT 1) AS last_control
         FROM (SELECT 1 AS one) o LEFT JOIN (SELECT edition, set_by, set_at FROM soa_editions ORDER BY id DESC LIMIT 1) e ON 1 = 1`);
    return this.from(row?.edition ? { edition: row.edition, set_by: row.set_by!, set_at: row.set_at! } : undefined, row?.last_control ?? undefined);
  }

  private from(recorded: { edition: Edition; set_by: string; set_at: string } | undefined, lastControl: string | undefined): EditionState {
    if (recorded) return { edition: recorded.edition, from: 'recorded', setBy: recorded.set_by, setAt: recorded.set_at };
    if (lastControl) return { edition: keyEdition(lastControl), from: 'decisions', setBy: null, setAt: null };
    return { edition: this.ctx.defaultEdition, from: 'default', setBy: null, setAt: null };
  }

  /** A decision with this key was just written in the current transaction: a store without a recorded edition now has it from decisions. */
  noteDecision(key: string): void {
    const memo = this.ctx.db.memo();
    const known = memo?.get('edition.state') as EditionState | undefined;
    if (known && known.from !== 'recorded') memo!.set('edition.state', this.from(undefined, key));
  }

  async current(): Promise<Edition> {
    return (await this.state()).edition;
  }

  /** Records a change of edition (soa transition). Call inside a transaction. */
  async record(edition: Edition, by: string, source: string, note?: string): Promise<void> {
    const at = isoDate(this.ctx.now());
    const written = await this.ctx.db.insert('soa_editions', { edition, set_by: by, set_at: at, source, note: note ?? null });
    this.ctx.db.memo()?.delete('edition.state');
    await this.ctx.audit.append({ at, actor: by, action: 'soa.edition', subject: `ISO/IEC 27001:${edition}`, table: 'soa_editions', row: written.id as number, written, extra: { edition } });
  }
}

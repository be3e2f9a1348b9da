// Placeholder until the SoA store lands: soa, risk, profile, audit and db commands.
import type { AppContext } from '../app.js';
import { UserError, type Out } from './args.js';

export const storeCommandNames: string[] = [];
export const storeHelp = '';

export async function storeCommand(_ctx: AppContext, command: string, _argv: string[], _out: Out): Promise<void> {
  throw new UserError(`unknown command "${command}"`, 2);
}

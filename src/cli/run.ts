// The command-line interface: dispatches `npm run -s cli -- <command> ...` to the command modules.
import { CorpusError } from '../catalog/loader.js';
import { ConfigError, loadConfig } from '../config.js';
import { UserError, type Out } from './args.js';
import { askCommand } from './ask.js';
import { catalogCommand } from './catalog.js';
import { digestCommand, digestHelp } from './digest.js';
import { disclosureCommand, disclosureHelp } from './disclosure.js';
import { responsibilityCommand, responsibilityHelp } from './responsibility.js';
import { evalCommand, indexCommand, searchCommand } from './search.js';
import { storeCommand, storeCommandNames, storeHelp } from './store.js';
import { createContext } from '../app.js';
import { StoreError } from '../soa/index.js';
import { errorCode } from '../soa/errors.js';

const help = `ISMS Cloud Assistant CLI

Usage: npm run -s cli -- <command> [options]

Commands:
  catalog list [--json] [--kind control|cld|requirement]   list controls and JIP-ISMS517 requirements
  catalog show <id> [--lang ja|en] [--json]                 one control as a card (IDs: 12.3.1, A.12.3.1, CLD.9.5.1, １２．３．１)
  search "<question>" [--top K] [--role customer|provider] [--json]
  search --batch FILE --top K --json                        JSONL in ({"id","query"}), JSONL out
  eval --file FILE --top K                                  recall@K and MRR on a JSONL question set
  ask "<question>" [--role customer|provider|both] [--json] answer with cited controls (LLM when configured)
  index [--force] [--require-dense]                         build the search index (lexical + dense when a model loads)
${storeHelp}
${responsibilityHelp}
${disclosureHelp}
${digestHelp}
  help                                                      this text
`;

export async function run(argv: string[], out: Out = (s) => process.stdout.write(s + '\n')): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (!command || command === 'help' || command === '--help' || command === '-h') {
      out(help);
      return 0;
    }
    const ctx = createContext(loadConfig());
    switch (command) {
      case 'catalog':
        catalogCommand(ctx.catalog, rest, out);
        return 0;
      case 'search':
        await searchCommand(ctx, rest, out);
        return 0;
      case 'eval':
        await evalCommand(ctx, rest, out);
        return 0;
      case 'ask':
        await askCommand(ctx, rest, out);
        return 0;
      case 'index':
        await indexCommand(ctx, rest, out);
        return 0;
      case 'digest':
        await digestCommand(ctx, rest, out);
        return 0;
      case 'responsibility':
        return await responsibilityCommand(ctx, rest, out);
      case 'disclosure':
        return await disclosureCommand(ctx, rest, out);
      default:
        if (storeCommandNames.includes(command)) {
          await storeCommand(ctx, command, rest, out);
          return 0;
        }
        throw new UserError(`unknown command "${command}". Run "npm run -s cli -- help" for the list.`, 2);
    }
  } catch (e) {
    if (e instanceof UserError) {
      process.stderr.write(`error: ${e.message}\n`);
      return e.exitCode;
    }
    if (e instanceof CorpusError || e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n`);
      return 1;
    }
    if (e instanceof StoreError) {
      process.stderr.write(`error: ${e.message}\n`);
      return 1;
    }
    // Anything else is still one line; the stack trace only with LOG_LEVEL=debug.
    const code = errorCode(e);
    process.stderr.write(`error: ${(e as Error)?.message ?? String(e)}${code ? ` (${code})` : ''}. This is a bug or an environment problem; run with LOG_LEVEL=debug for details\n`);
    if (process.env.LOG_LEVEL === 'debug') process.stderr.write(`${(e as Error)?.stack ?? ''}\n`);
    return 1;
  }
}

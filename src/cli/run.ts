// The command-line interface: dispatches `npm run -s cli -- <command> ...` to the command modules.
import { UserError, type Out } from './args.js';
import { digestHelp, disclosureHelp, responsibilityHelp, storeCommandNames, storeHelp } from './usage.js';

// The command modules (and the catalogue, the store and their libraries) load when a command needs them, so that
// `help` and a mistyped command answer at once.
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
    if (command !== 'catalog' && !['search', 'eval', 'ask', 'index', 'digest', 'responsibility', 'disclosure'].includes(command) && !storeCommandNames.includes(command)) {
      throw new UserError(`unknown command "${command}". Run "npm run -s cli -- help" for the list.`, 2);
    }
    const [{ loadConfig }, { createContext }] = await Promise.all([import('../config.js'), import('../app.js')]);
    const ctx = await createContext(loadConfig());
    switch (command) {
      case 'catalog':
        (await import('./catalog.js')).catalogCommand(ctx.catalog, rest, out);
        return 0;
      case 'search':
        await (await import('./search.js')).searchCommand(ctx, rest, out);
        return 0;
      case 'eval':
        await (await import('./search.js')).evalCommand(ctx, rest, out);
        return 0;
      case 'ask':
        await (await import('./ask.js')).askCommand(ctx, rest, out);
        return 0;
      case 'index':
        await (await import('./search.js')).indexCommand(ctx, rest, out);
        return 0;
      case 'digest':
        await (await import('./digest.js')).digestCommand(ctx, rest, out);
        return 0;
      case 'responsibility':
        return await (await import('./responsibility.js')).responsibilityCommand(ctx, rest, out);
      case 'disclosure':
        return await (await import('./disclosure.js')).disclosureCommand(ctx, rest, out);
      default:
        await (await import('./store.js')).storeCommand(ctx, command, rest, out);
        return 0;
    }
  } catch (e) {
    const [{ CorpusError }, { ConfigError }, { StoreError, errorCode }] = await Promise.all([
      import('../catalog/loader.js'), import('../config.js'), import('../soa/errors.js'),
    ]);
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

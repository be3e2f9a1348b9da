// The command-line interface: dispatches `npm run -s cli -- <command> ...` to the command modules.
import { loadCatalog } from '../catalog/catalog.js';
import { CorpusError } from '../catalog/loader.js';
import { ConfigError, loadConfig } from '../config.js';
import { UserError, type Out } from './args.js';
import { catalogCommand } from './catalog.js';

const help = `ISMS Cloud Assistant CLI

Usage: npm run -s cli -- <command> [options]

Commands:
  catalog list [--json] [--kind control|cld|requirement]   list controls and JIP-ISMS517 requirements
  catalog show <id> [--lang ja|en] [--json]                 one control as a card (IDs: 12.3.1, A.12.3.1, CLD.9.5.1, １２．３．１)
  help                                                      this text
`;

export async function run(argv: string[], out: Out = (s) => process.stdout.write(s + '\n')): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (!command || command === 'help' || command === '--help' || command === '-h') {
      out(help);
      return 0;
    }
    const config = loadConfig();
    const catalog = () => loadCatalog(config.corpusDir);
    switch (command) {
      case 'catalog':
        catalogCommand(catalog(), rest, out);
        return 0;
      default:
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
    throw e;
  }
}

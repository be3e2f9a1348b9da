// `npm start`. Until the Slack app lands, it prints what is available.
import { loadCatalog } from './catalog/catalog.js';
import { loadConfig } from './config.js';

const config = loadConfig();
const catalog = loadCatalog(config.corpusDir);
const n = (k: string) => catalog.entries.filter((e) => e.kind === k).length;
console.log(`ISMS Cloud Assistant
Catalogue loaded: ${n('control')} ISO/IEC 27002:2013 controls (${catalog.entries.filter((e) => e.extended).length} extended by ISO/IEC 27017), ${n('cld')} CLD controls, ${n('requirement')} JIP-ISMS517 requirements.

Available now (run with npm run -s cli -- <command>):
  catalog list [--json]           every control and requirement
  catalog show 12.3.1 [--lang en] one control as a card
  help                            all commands

The Slack app and the console chat are not built yet.`);

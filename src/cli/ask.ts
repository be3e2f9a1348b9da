// `ask "<question>" [--role customer|provider|both] [--json]`
import { createAnswerEngine, openSearch, type AppContext } from '../app.js';
import { lengthProblem } from '../chat/commands.js';
import { detectLang } from '../search/text.js';
import { answerJson, askBatch } from './answers.js';
import { oneOf, parse, UserError, type Out } from './args.js';
import { cliText } from './messages.js';

const usage = 'ask "<question>" [--role customer|provider|both] [--json] | ask --batch FILE --json';

export async function askCommand(ctx: AppContext, argv: string[], out: Out): Promise<void> {
  const { values, positionals } = parse(argv, { role: { type: 'string' }, json: { type: 'boolean' }, batch: { type: 'string' } }, usage);
  if (values.batch) return askBatch(ctx, values.batch, oneOf(values.role, ['customer', 'provider', 'both'] as const, '--role'), out);
  const question = positionals.join(' ').trim();
  if (!question) throw new UserError(`ask needs a question\nUsage: ${usage}`, 2);
  // The same limit as in chat, checked before the index is even opened.
  const tooLong = lengthProblem(`ask ${question}`, detectLang(question.slice(0, 200)));
  if (tooLong) throw new UserError(`${tooLong.message} ${tooLong.hint}`, 2);
  const role = oneOf(values.role, ['customer', 'provider', 'both'] as const, '--role');
  const engine = createAnswerEngine(ctx, await openSearch(ctx));
  const a = await engine.ask(question, { role });
  if (values.json) return out(JSON.stringify(answerJson(a)));
  out(a.answer);
  const t = cliText[a.language];
  if (a.citations.length) out(`\n${t.sources}: ${a.citations.map((id) => `${id} ${ctx.catalog.get(id)!.title[a.language]}`).join(' · ')}`);
  out(`(${a.mode}, ${t.confidence} ${a.confidence.toFixed(2)})`);
}

// The local console chat: the same conversations as Slack, in a terminal, on the embedded defaults.
// On a terminal it prompts; with piped stdin it reads one message per line, so it can be scripted.
// stdout carries the conversation only: logs go to stderr.
import { userInfo } from 'node:os';
import { createInterface } from 'node:readline';
import type { Core } from '../core.js';
import { answerModeLabels, label } from '../chat/messages.js';
import { renderText, toPlainText } from '../chat/render-text.js';
import { cliText } from './messages.js';

export interface ConsoleOptions {
  input?: NodeJS.ReadableStream;
  output?: NodeJS.WritableStream;
  user?: string;
  interactive?: boolean;
}

export async function runConsole(core: Core, o: ConsoleOptions = {}): Promise<void> {
  const input = o.input ?? process.stdin;
  const output = o.output ?? process.stdout;
  const interactive = o.interactive ?? !!(process.stdin.isTTY && process.stdout.isTTY);
  const user = o.user || process.env.ISMS_USER || userInfo().username;
  const write = (s: string) => output.write(s + '\n');
  const rl = createInterface({ input, output: interactive ? output : undefined, terminal: interactive });
  if (interactive) {
    const dense = core.search.report.dense !== 'off';
    const lang = core.ctx.config.lang;
    write(cliText[lang].consoleBanner(user, label(answerModeLabels, core.answers.mode, lang), dense));
    write(cliText[lang].consoleHelp);
    rl.setPrompt('isms> ');
    rl.prompt();
  }
  for await (const line of rl) {
    const text = line.trim();
    if (text === 'exit' || text === 'quit') break;
    if (text) {
      if (!interactive) write(`> ${text}`);
      try {
        const replies = await core.chat.handle({ text, user, thread: 'console', source: 'console' });
        for (const r of replies) write(toPlainText(renderText(r)) + '\n'); // a terminal shows no Slack markup
      } catch (e) {
        core.ctx.log.error('console message failed', { error: (e as Error).message });
        write(`⚠ ${(e as Error).message}`);
      }
    }
    if (interactive) rl.prompt();
  }
  rl.close();
}

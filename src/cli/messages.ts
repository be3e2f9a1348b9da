// The words the command line says itself (the console banner, search results, an answer's sources line), in English
// and Japanese: one table per language with the same keys. Chat replies shown in the console come from
// src/chat/messages.ts. Imports nothing at run time, so that a command loads it for free.
import type { Lang } from '../search/text.js';

const en = {
  consoleBanner: (user: string, mode: string, dense: boolean) =>
    `ISMS Cloud Assistant — console chat (user: ${user}; ${mode} answers; ${dense ? 'hybrid search' : 'lexical search'})`,
  consoleHelp: 'Type a question, or "help". Ctrl-D to quit.\n',
  noMatchingControls: 'No matching controls.',
  sources: 'Sources',
  confidence: 'confidence',
};

const ja: typeof en = {
  consoleBanner: (user, mode, dense) => `ISMS Cloud Assistant — コンソールチャット（ユーザー: ${user}、${mode}、${dense ? 'ハイブリッド検索' : '語句検索'}）`,
  consoleHelp: '質問を入力するか「help」と入力してください。終了は Ctrl-D。\n',
  noMatchingControls: '該当する管理策が見つかりませんでした。',
  sources: '出典',
  confidence: '確信度',
};

/** The CLI's own words in `lang`. */
export const cliText: Record<Lang, typeof en> = { ja, en };

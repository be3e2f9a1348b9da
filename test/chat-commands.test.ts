import { expect, it } from 'vitest';
import { parseCommand, words } from '../src/chat/commands.js';

it('keeps quoted values together, also inside name=value', () => {
  expect(words('soa set 12.3.1 justification="no own premises" reason=legal:「個人情報 保護法」')).toEqual(['soa', 'set', '12.3.1', 'justification=no own premises', 'reason=legal:個人情報 保護法']);
});

it('refuses a misspelled SoA field instead of dropping it', () => {
  expect(parseCommand('soa set 12.3.1 applicable=yes ownr=bob')).toEqual({
    kind: 'usage', message: expect.stringContaining('"ownr" is not a field of an SoA decision'), ja: expect.stringContaining('「ownr」は適用宣言書の判断の項目ではありません'),
  });
  expect(parseCommand('soa set 12.3.1 applicable=yes owner=bob reason=risk:R-1 reason=business:x')).toEqual({
    kind: 'soa-set', control: '12.3.1', fields: { applicable: ['yes'], owner: ['bob'], reason: ['risk:R-1', 'business:x'] },
  });
});

it('routes plain text to ask and /isms prefixes to commands', () => {
  expect(parseCommand('バックアップは誰の責任？')).toEqual({ kind: 'ask', question: 'バックアップは誰の責任?' }); // NFKC-normalised
  expect(parseCommand('/isms soa CLD.9.5.1 history')).toEqual({ kind: 'soa-show', control: 'CLD.9.5.1', history: true });
  expect(parseCommand('assess PayCloud')).toEqual({ kind: 'assess', service: 'PayCloud' });
});

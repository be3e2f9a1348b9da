// The log writer: JSON lines (level, time, msg first; fields after; secrets masked) or text; which one LOG_FORMAT picks.
import { expect, it } from 'vitest';
import { createLogger, logFormatFor, registerSecret } from '../src/log.js';

it('writes one JSON object per line with level, time and msg, fields after them, secrets masked', () => {
  const lines: string[] = [];
  registerSecret('sig-secret-123456');
  const log = createLogger('info', (l) => lines.push(l), 'json');
  log.debug('not shown');
  log.info('started', { mode: 'socket', msg: 'cannot replace msg', level: 'nor level' });
  log.warn('slack web api chat.postMessage failed: channel_not_found', { method: 'chat.postMessage', error: new Error('boom') });
  log.error('token xoxb-1234-abcdef and sig-secret-123456 leaked?');
  expect(lines).toHaveLength(3);
  const [a, b, c] = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  expect(Object.keys(a!).slice(0, 3)).toEqual(['level', 'time', 'msg']);
  expect(a).toMatchObject({ level: 'info', msg: 'started', mode: 'socket' });
  expect(a!.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  expect(b).toMatchObject({ level: 'warn', method: 'chat.postMessage', error: { message: 'boom' } });
  expect(c!.msg).toBe('token xoxb-… and … leaked?');
  expect(lines.every((l) => !l.includes('\n'))).toBe(true);
});

it('writes text for a person: time, LEVEL, message, fields', () => {
  const lines: string[] = [];
  createLogger('info', (l) => lines.push(l)).warn('removed citations', { ids: ['99.9.9'] });
  expect(lines[0]).toMatch(/^\d{4}-\d\d-\d\dT\S+ WARN removed citations \{"ids":\["99\.9\.9"\]\}$/);
});

it('LOG_FORMAT=auto: JSON in Slack mode unless stderr is a terminal, text in the console chat; json and pretty as set', () => {
  expect(logFormatFor('auto', true, false)).toBe('json');
  expect(logFormatFor('auto', true, true)).toBe('pretty');
  expect(logFormatFor('auto', false, false)).toBe('pretty');
  expect(logFormatFor('json', false, true)).toBe('json');
  expect(logFormatFor('pretty', true, false)).toBe('pretty');
});

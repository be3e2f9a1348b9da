import { expect, it } from 'vitest';
import { ConfigError, loadConfig, startMode } from '../src/config.js';
import { redact } from '../src/log.js';

it('names a bad variable and the fix, without printing a secret', () => {
  let message = '';
  try {
    loadConfig({ SLACK_BOT_TOKEN: 'xapp-1-A0SECRETSECRET-123', SLACK_APP_TOKEN: 'xoxb-999-SECRETBOT', PORT: 'eighty' });
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    message = (e as Error).message;
  }
  expect(message).toContain('SLACK_BOT_TOKEN="xapp-…" (25 characters): must be a bot token starting with xoxb-');
  expect(message).toMatch(/PORT="eighty"/);
  expect(message).not.toContain('SECRET');
});

it('masks configured secrets of any shape wherever they appear', () => {
  loadConfig({ SLACK_SIGNING_SECRET: 'plain-signing-secret-value', OPENAI_API_KEY: 'gateway-key-123456' });
  expect(redact('sig plain-signing-secret-value and key gateway-key-123456')).toBe('sig … and key …');
});

it('chooses the start mode, and names what a partial Slack setup is missing', () => {
  expect(startMode(loadConfig({}))).toEqual({ mode: 'console' });
  expect(startMode(loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1' }))).toEqual({ mode: 'socket' });
  expect(startMode(loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's3cr3t' }))).toEqual({ mode: 'http' });
  expect(startMode(loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1' }))).toMatchObject({ mode: 'invalid', message: expect.stringContaining('neither SLACK_APP_TOKEN (Socket Mode, recommended) nor SLACK_SIGNING_SECRET') });
  expect(startMode(loadConfig({ SLACK_APP_TOKEN: 'xapp-1' }))).toMatchObject({ mode: 'invalid', message: expect.stringContaining('SLACK_BOT_TOKEN (xoxb-...) is missing') });
});

it('takes a PostgreSQL DATABASE_URL, refuses anything else naming the form, and never prints the password', () => {
  expect(loadConfig({ DATABASE_URL: 'postgres://isms:hunter2@db:5432/isms' }).database).toEqual({ url: 'postgres://isms:hunter2@db:5432/isms', adminUrl: 'postgres://isms:hunter2@db:5432/isms' });
  expect(loadConfig({ DATABASE_URL: 'postgresql://app@db/isms', DATABASE_ADMIN_URL: 'postgresql://owner@db/isms' }).database).toEqual({ url: 'postgresql://app@db/isms', adminUrl: 'postgresql://owner@db/isms' });
  expect(() => loadConfig({ DATABASE_URL: 'mysql://isms:hunter2@db/isms' })).toThrow(/DATABASE_URL="mysql….*must be a PostgreSQL URL such as postgres:\/\/isms_app:PASSWORD@db:5432\/isms/);
  expect(() => loadConfig({ DATABASE_URL: 'mysql://isms:hunter2@db/isms' })).not.toThrow(/hunter2/);
  expect(loadConfig({ DATABASE_URL: '' }).dataDir).toMatch(/data$/);
});

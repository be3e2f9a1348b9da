// The Slack app over HTTP on 127.0.0.1, pointed at a fake Slack Web API, as the e2e tests run it.
import type { Server } from 'node:http';
import type { App } from '@slack/bolt';
import type { Core } from '../../src/core.js';
import { createSlackApp } from '../../src/slack/app.js';
import { boltUrl, type FakeSlack } from './fake-slack.js';

export async function startHttpBot(core: Core, fake: FakeSlack, signingSecret: string): Promise<{ app: App; url: string }> {
  const app = await createSlackApp(core, { mode: 'http', botToken: 'xoxb-test', signingSecret, port: 0, apiUrl: fake.apiUrl, allowBots: false, retries: 0 });
  const server = (await app.start({ port: 0, host: '127.0.0.1' })) as unknown as Server;
  return { app, url: boltUrl(server) };
}

// A fake OpenAI-compatible server on 127.0.0.1 that records requests and replies as each test tells it.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeRequest {
  path: string;
  headers: IncomingMessage['headers'];
  body: any;
}

export type Reply = { status?: number; content?: string; delayMs?: number; raw?: unknown };

export interface FakeOpenAI {
  baseURL: string;
  requests: FakeRequest[];
  reply: (req: FakeRequest) => Reply;
  close(): Promise<void>;
}

export async function startFakeOpenAI(): Promise<FakeOpenAI> {
  const fake: FakeOpenAI = { baseURL: '', requests: [], reply: () => ({ content: 'ok' }), close: async () => {} };
  const server: Server = createServer((req, res) => {
    let data = '';
    req.on('data', (c) => (data += c));
    req.on('end', () => {
      const r: FakeRequest = { path: req.url ?? '', headers: req.headers, body: data ? JSON.parse(data) : null };
      fake.requests.push(r);
      const reply = fake.reply(r);
      const send = () => {
        if (res.destroyed) return;
        res.writeHead(reply.status ?? 200, { 'content-type': 'application/json' });
        if ((reply.status ?? 200) >= 400) return res.end(JSON.stringify({ error: { message: 'fake failure', type: 'server_error' } }));
        res.end(JSON.stringify(reply.raw ?? {
          id: 'chatcmpl-fake', object: 'chat.completion', created: 0, model: r.body?.model ?? 'fake',
          choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: reply.content ?? '' } }],
        }));
      };
      if (reply.delayMs) setTimeout(send, reply.delayMs);
      else send();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  fake.baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  fake.close = () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); });
  return fake;
}

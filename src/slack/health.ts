// HEALTH_PORT: GET /healthz answers 200 while the app is connected to Slack (Socket Mode: the WebSocket is open;
// HTTP mode: the receiver listens) and 503 while it is not (starting, reconnecting, stopping). For Docker's
// HEALTHCHECK, Kubernetes probes and load balancers; it never touches Slack itself.
import { createServer, type Server } from 'node:http';

export async function startHealthServer(port: number, connected: () => boolean, host = '0.0.0.0'): Promise<Server> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path !== '/healthz') {
      res.writeHead(404).end();
      return;
    }
    const up = connected();
    res.writeHead(up ? 200 : 503, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
    res.end(up ? 'ok' : 'not connected to Slack');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}

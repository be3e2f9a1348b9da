// The image's HEALTHCHECK: GET /healthz on HEALTH_PORT (every Slack mode), else on PORT (HTTP mode). Exit 0 when it
// answers 200 within 4 s, 1 otherwise. Kept free of imports so that it starts in a few milliseconds.
const port = process.env.HEALTH_PORT || process.env.PORT || '3000';
const url = `http://127.0.0.1:${port}/healthz`;

try {
  const res = await fetch(url, { signal: AbortSignal.timeout(4000) });
  process.stdout.write(`${url}: ${res.status} ${await res.text()}\n`);
  process.exitCode = res.status === 200 ? 0 : 1;
} catch (e) {
  process.stdout.write(`${url}: ${(e as { cause?: { code?: string } }).cause?.code ?? (e as Error).message}\n`);
  process.exitCode = 1;
}

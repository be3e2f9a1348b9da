// The production image and its files, read as text (no Docker daemon runs here; see README "Docker" for how the
// Dockerfile was checked): the final stage runs node on the compiled build under tini with a HEALTHCHECK, the model
// lives in the image and not on the data volume, one Node.js line everywhere, and every variable is documented.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';

const read = (f: string) => readFileSync(new URL(`../${f}`, import.meta.url), 'utf8');
const docker = read('Dockerfile');
const stages = docker.split(/^FROM /m).slice(1);
const final = stages.at(-1)!;
const pkg = JSON.parse(read('package.json')) as { engines: { node: string }; scripts: Record<string, string> };

it('builds in stages and runs node on the compiled JavaScript under tini, as the node user, with a HEALTHCHECK', () => {
  expect(stages.length).toBeGreaterThanOrEqual(2);
  expect(stages[0]).toMatch(/npm run build/);
  expect(stages[0]).toMatch(/npm prune --omit=dev/);
  expect(final).toMatch(/^ENTRYPOINT \["\/usr\/bin\/tini", "--"\]$/m);
  expect(final).toMatch(/apt-get install[^\n]*\btini\b/);
  expect(final).toMatch(/^CMD \["node", "dist\/src\/main\.js"\]$/m);
  expect(final).toMatch(/^HEALTHCHECK [^\n]*\\\n\s+CMD \["node", "dist\/src\/healthcheck\.js"\]$/m);
  expect(final).toMatch(/^USER node$/m);
  const instructions = final.split('\n').filter((l) => !l.trimStart().startsWith('#')).join('\n');
  expect(instructions).not.toMatch(/tsx|npm (start|run)|src\/main\.ts/);
  // The final stage takes the pruned node_modules and dist/ from the build stage, never the sources to run.
  expect(final).toMatch(/COPY --from=build \/app\/node_modules/);
  expect(final).toMatch(/COPY --from=build \/app\/dist/);
});

it('drops what Linux does not run: onnxruntime-web and the macOS / Windows onnxruntime binaries', () => {
  expect(stages[0]).toMatch(/rm -rf node_modules\/onnxruntime-web/);
  expect(stages[0]).toMatch(/napi-v3\/darwin/);
  expect(stages[0]).toMatch(/napi-v3\/win32/);
});

it('keeps models in the image (/app/models), apart from the /data volume, and has a Japanese font for the chart', () => {
  expect(final).toMatch(/ISMS_MODELS_DIR=\/app\/models/);
  expect(final).toMatch(/COPY --from=model \/app\/models \.\/models/);
  expect(final).toMatch(/VOLUME \["\/data"\]/);
  expect(docker).not.toMatch(/\/data\/models/);
  expect(final).toMatch(/fonts-(ipafont|noto-cjk)/);
});

it('uses one Node.js LTS line in the image, package.json engines, .nvmrc and the machine the tests run on', () => {
  const image = /^ARG NODE_VERSION=(\d+)-/m.exec(docker)?.[1];
  const engines = /^>=(\d+)\./.exec(pkg.engines.node)?.[1];
  const nvmrc = read('.nvmrc').trim();
  expect(image).toBeDefined();
  expect([engines, nvmrc]).toEqual([image, image]);
  expect(process.versions.node.split('.')[0]).toBe(image);
  expect(read('README.md')).toContain(`Node.js ${image}`);
});

it('has a .dockerignore that keeps node_modules, data, dist, .git and .env out of the build context', () => {
  const ignored = read('.dockerignore').split('\n').map((l) => l.trim());
  for (const p of ['node_modules', 'data', 'dist', '.git', '.env']) expect(ignored, p).toContain(p);
  expect(ignored).toContain('!.env.example');
});

it('starts with compose from .env on a named data volume', () => {
  const compose = read('compose.yaml');
  expect(compose).toMatch(/env_file: \.env/);
  expect(compose).toMatch(/- isms-data:\/data/);
  expect(compose).toMatch(/^volumes:\n {2}isms-data:/m);
});

it('runs on PostgreSQL with compose.postgres.yaml: the bot as its own role, the tables owned by another', () => {
  const compose = read('compose.postgres.yaml');
  expect(compose).toMatch(/DATABASE_URL: postgres:\/\/isms_app:\$\{ISMS_APP_PASSWORD\}@postgres:5432\/isms/);
  expect(compose).toMatch(/DATABASE_ADMIN_URL: postgres:\/\/isms_owner:\$\{POSTGRES_PASSWORD\}@postgres:5432\/isms/);
  expect(compose).toMatch(/condition: service_healthy/);
  expect(compose).toMatch(/- \.\/scripts\/postgres-init\.sh:\/docker-entrypoint-initdb\.d\/[\w-]+\.sh:ro/);
  // The app role's password is passed as a psql variable (quoted by psql), never spliced into SQL text.
  const init = read('scripts/postgres-init.sh');
  expect(init).toMatch(/-v app_password="\$ISMS_APP_PASSWORD"/);
  expect(init).toMatch(/CREATE ROLE isms_app LOGIN PASSWORD :'app_password';/);
  expect(init).toMatch(/<<'SQL'/);
});

it('documents in .env.example every variable the code reads, and nothing it does not', () => {
  const src = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? src(join(dir, e.name)) : e.name.endsWith('.ts') ? [readFileSync(join(dir, e.name), 'utf8')] : []));
  const code = src(new URL('../src', import.meta.url).pathname).join('\n');
  const config = read('src/config.ts');
  const schema = config.slice(config.indexOf('const spec = {'), config.indexOf('\n};'));
  const schemaKeys = [...schema.matchAll(/^ {2}([A-Z][A-Z0-9_]+): /gm)].map((m) => m[1]!);
  const read_ = [...code.matchAll(/process\.env\.([A-Z][A-Z0-9_]+)/g)].map((m) => m[1]!);
  const used = new Set([...schemaKeys, ...read_]);
  const documented = new Set([...read('.env.example').matchAll(/^(?:# )?([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]!));
  expect(schemaKeys.length).toBeGreaterThan(25);
  expect([...used].filter((v) => !documented.has(v))).toEqual([]);
  expect([...documented].filter((v) => !used.has(v))).toEqual([]);
});

it('npm start execs node on the build, and `prepare` builds it at npm ci', () => {
  expect(pkg.scripts.start).toBe('exec node dist/src/main.js');
  expect(pkg.scripts.prepare).toMatch(/tsc -p tsconfig\.build\.json/);
});

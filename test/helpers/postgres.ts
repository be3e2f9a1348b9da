// A throwaway PostgreSQL server for tests: initdb in a temporary folder, pg_ctl start on a free port on 127.0.0.1, and
// everything removed by stop(). The server refuses to run as root, so under root the folder is given to the postgres
// user and the commands run through runuser. PG_BIN names the folder of initdb and pg_ctl; otherwise the newest
// /usr/lib/postgresql/*/bin, else PATH.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './net.js';

export interface PgServer {
  /** A superuser connection URL (the cluster's owner). */
  url: string;
  port: number;
  stop: () => void;
}

function binDir(): string {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return join(root, versions[0], 'bin');
  }
  return '';
}


/** Whether initdb can be found: tests that need a server say why they cannot run instead of failing obscurely. */
export function postgresAvailable(): boolean {
  const bin = binDir();
  if (bin) return existsSync(join(bin, 'initdb'));
  try {
    execFileSync('initdb', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** The cluster of this initdb binary from `cache`, copied to `data`; made by `initdb` there first when it is not cached yet. */
function fromCache(cache: string, initdb: string, data: string, make: () => void): void {
  let stamp = initdb;
  try {
    const st = statSync(initdb);
    stamp += `:${st.size}:${st.mtimeMs}`;
  } catch {
    // on PATH: the name alone
  }
  const cached = join(cache, `pg-cluster-${createHash('sha1').update(stamp).digest('hex').slice(0, 12)}`);
  if (existsSync(join(cached, 'PG_VERSION'))) {
    execFileSync('cp', ['-a', cached, data]);
    return;
  }
  make();
  // Kept for the next start: copied beside its place and renamed into it, so that a half copy is never used.
  try {
    mkdirSync(cache, { recursive: true });
    const part = `${cached}.${process.pid}.part`;
    execFileSync('cp', ['-a', data, part]);
    try {
      renameSync(part, cached);
    } catch {
      rmSync(part, { recursive: true, force: true }); // another run cached it first
    }
  } catch {
    // no cache this time
  }
}

/**
 * `durable`: fsync on, as a real server runs (benchmarks); tests turn it off, since a throwaway cluster need not survive a crash.
 * `cache`: a folder where the cluster initdb makes is kept, per initdb binary, and copied on later starts (initdb
 * takes about 1 s, the copy 0.15 s).
 */
export async function startPostgres(o: { durable?: boolean; cache?: string } = {}): Promise<PgServer> {
  const bin = binDir();
  const tool = (name: string) => (bin ? join(bin, name) : name);
  const root = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), 'isms-pg-'));
  const data = join(dir, 'data');
  if (root) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    chownSync(dir, uid, gid);
  }
  const run = (name: string, args: string[]) =>
    root ? execFileSync('runuser', ['-u', 'postgres', '--', tool(name), ...args], { stdio: 'pipe' }) : execFileSync(tool(name), args, { stdio: 'pipe' });
  const initdb = () => run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
  if (o.cache) fromCache(o.cache, tool('initdb'), data, initdb);
  else initdb();
  const port = await freePort();
  const log = join(dir, 'server.log');
  try {
    const speed = o.durable ? '' : ' -c fsync=off -c full_page_writes=off';
    run('pg_ctl', ['-D', data, '-l', log, '-w', '-t', '30', '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1${speed}`, 'start']);
  } catch (e) {
    const why = existsSync(log) ? readFileSync(log, 'utf8').slice(-2000) : '';
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`PostgreSQL did not start: ${(e as Error).message}\n${why}`);
  }
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    stop: () => {
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

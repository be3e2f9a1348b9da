// A throwaway PostgreSQL server for tests: initdb in a temporary folder, pg_ctl start on a free port on 127.0.0.1, and
// everything removed by stop(). The server refuses to run as root, so under root the folder is given to the postgres
// user and the commands run through runuser. PG_BIN names the folder of initdb and pg_ctl; otherwise the newest
// /usr/lib/postgresql/*/bin, else PATH.
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
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

/** `durable`: fsync on, as a real server runs (benchmarks); tests turn it off, since a throwaway cluster need not survive a crash. */
export async function startPostgres(o: { durable?: boolean } = {}): Promise<PgServer> {
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
  run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
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

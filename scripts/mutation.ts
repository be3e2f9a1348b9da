// Mutation check (npm run test:mutation): puts known defects into the SoA store, the audit chain, the LLM citation
// check and the Slack approval button, one at a time, and runs the tests that should notice. A mutant the tests do
// not notice "survives": a gap in the tests. Not part of `npm test` (about 5 minutes on 2 cores).
//
// It never changes your working tree: the code is copied to a temporary folder (node_modules linked), each mutant is a
// string replacement in that copy, restored after its run, and the copy is removed at the end, on Ctrl-C and on a
// crash. By default the copy is the last commit (HEAD), so that work in progress elsewhere in the tree does not move
// the score; --worktree copies the files as they are now (tracked and untracked, ignored ones left out).
//
//   npm run test:mutation                       all mutants against HEAD
//   npm run test:mutation -- --worktree         against the working tree
//   npm run test:mutation -- audit-prev-link    only the named mutants
//   npm run test:mutation -- --verbose          with vitest's output for each mutant
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mutants, type Mutant } from './mutants.js';

const root = fileURLToPath(new URL('..', import.meta.url));

interface Options { worktree: boolean; verbose: boolean; only: string[] }

function options(argv: string[]): Options {
  const only = argv.filter((a) => !a.startsWith('--'));
  const unknown = only.filter((id) => !mutants.some((m) => m.id === id));
  if (unknown.length) throw new Error(`no mutant named ${unknown.join(', ')}; known: ${mutants.map((m) => m.id).join(', ')}`);
  return { worktree: argv.includes('--worktree'), verbose: argv.includes('--verbose'), only };
}

/** A copy of the project to mutate: HEAD (git archive) or the working tree, with node_modules linked. */
function makeCopy(worktree: boolean): string {
  const dir = mkdtempSync(join(tmpdir(), 'isms-mutation-'));
  if (worktree) {
    const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: root }).toString().split('\0').filter(Boolean);
    for (const f of files) {
      if (!existsSync(join(root, f))) continue; // deleted in the working tree
      mkdirSync(dirname(join(dir, f)), { recursive: true });
      cpSync(join(root, f), join(dir, f));
    }
  } else {
    execFileSync('sh', ['-c', `git archive --format=tar HEAD | tar -x -C "${dir}"`], { cwd: root });
  }
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return dir;
}

let child: ChildProcess | undefined;

interface Run { passed: boolean; failedTest: boolean; output: string; ms: number }

/** Runs vitest on the given files in the copy: whether every test passed, or whether a test failed (not the run). */
function runTests(dir: string, files: string[], quiet = true): Promise<Run> {
  const started = Date.now();
  return new Promise((resolve) => {
    let output = '';
    child = spawn(process.execPath, [join(dir, 'node_modules/vitest/vitest.mjs'), 'run', '--bail=1', '--reporter=dot', ...files], {
      cwd: dir, env: { ...process.env, CI: '1', NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    child.on('exit', (code) => {
      child = undefined;
      if (!quiet) process.stdout.write(output);
      resolve({ passed: code === 0, failedTest: /^\s*(Tests|Test Files)\s+\d+ failed/m.test(output), output, ms: Date.now() - started });
    });
  });
}

/** The first failing test in vitest's output ("test/x.test.ts > group > name"), or why the run failed. */
function firstFailure(output: string): string {
  const line = /FAIL\s+(test\/\S+ > .+)/.exec(output)?.[1] ?? /FAIL\s+(.+)/.exec(output)?.[1] ?? output.trim().split('\n').at(-1) ?? '';
  // eslint-disable-next-line no-control-regex -- ANSI colour codes
  return line.replace(/\u001b\[[0-9;]*m/g, '').replace(/\s+\[.*$/, '').trim();
}

/** Applies a mutant to the copy: each `find` must occur exactly once in the file. Returns the original text. */
function apply(dir: string, m: Mutant): string {
  const file = join(dir, m.file);
  const original = readFileSync(file, 'utf8');
  let text = original;
  for (const edit of [{ find: m.find, replace: m.replace }, ...(m.also ?? [])]) {
    const at = text.indexOf(edit.find);
    if (at < 0 || text.indexOf(edit.find, at + 1) >= 0) {
      throw new Error(`mutant ${m.id}: ${m.file} holds "${edit.find}" ${at < 0 ? 'nowhere' : 'more than once'}; update scripts/mutants.ts`);
    }
    text = text.slice(0, at) + edit.replace + text.slice(at + edit.find.length);
  }
  writeFileSync(file, text);
  return original;
}

async function main(): Promise<number> {
  const opts = options(process.argv.slice(2));
  const chosen = opts.only.length ? mutants.filter((m) => opts.only.includes(m.id)) : mutants;
  const dir = makeCopy(opts.worktree);
  let current: { file: string; original: string } | undefined;
  const cleanup = () => {
    if (current) writeFileSync(current.file, current.original);
    child?.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  };
  const onSignal = (signal: NodeJS.Signals) => {
    cleanup();
    process.stderr.write(`\nmutation check stopped (${signal}); the copy in ${dir} was removed, the working tree was never changed\n`);
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    console.log(`mutation check on ${opts.worktree ? 'the working tree' : 'HEAD'} (copy in ${dir}), ${chosen.length} mutants`);
    // The tests must pass on the code as it is, or a "killed" mutant means nothing.
    const files = [...new Set(chosen.flatMap((m) => m.tests))];
    const baseline = await runTests(dir, files);
    if (!baseline.passed) {
      console.error(`the tests fail without any mutant (${files.join(' ')}):\n${baseline.output.slice(-4000)}`);
      return 2;
    }
    console.log(`baseline: ${files.length} test files pass (${(baseline.ms / 1000).toFixed(0)} s)\n`);
    const results: { m: Mutant; killed: boolean; ms: number }[] = [];
    const broken: Mutant[] = [];
    for (const m of chosen) {
      const file = join(dir, m.file);
      current = { file, original: apply(dir, m) };
      try {
        let r = await runTests(dir, m.tests, !opts.verbose);
        // A run that failed without a failing test (a crash, a timeout of the machine) is run once more.
        if (!r.passed && !r.failedTest) r = await runTests(dir, m.tests, !opts.verbose);
        if (!r.passed && !r.failedTest) {
          broken.push(m);
          console.log(`ERROR     ${m.id.padEnd(28)} the test run failed without a failing test:\n${r.output.trim().split('\n').slice(-8).join('\n')}`);
          continue;
        }
        results.push({ m, killed: !r.passed, ms: r.ms });
        console.log(`${r.passed ? 'SURVIVED' : 'killed  '}  ${m.id.padEnd(28)} ${(r.ms / 1000).toFixed(0).padStart(3)} s  ${m.what}`);
        if (!r.passed) console.log(`          by ${firstFailure(r.output)}`);
      } finally {
        writeFileSync(current.file, current.original);
        current = undefined;
      }
    }
    const killed = results.filter((r) => r.killed).length;
    const survivors = results.filter((r) => !r.killed);
    console.log(`\nmutation score: ${killed}/${results.length} killed (${Math.round((killed / results.length) * 100)}%)`);
    for (const s of survivors) console.log(`  survived: ${s.m.id} (${s.m.file}): ${s.m.what}; tests run: ${s.m.tests.join(' ')}`);
    if (broken.length) console.log(`not scored (the test run itself failed): ${broken.map((m) => m.id).join(', ')}`);
    return broken.length ? 2 : survivors.length ? 1 : 0;
  } finally {
    cleanup();
  }
}

main().then((code) => process.exit(code), (e: unknown) => {
  console.error(`mutation check failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(2);
});

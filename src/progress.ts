// Progress for long steps, on stderr: a bar on a terminal, a line every 10% otherwise.
export interface Progress {
  start(label: string, total: number): void;
  tick(n?: number): void;
  done(): void;
}

export const noProgress: Progress = { start() {}, tick() {}, done() {} };

export function stderrProgress(stream: NodeJS.WriteStream = process.stderr): Progress {
  let label = '';
  let total = 0;
  let n = 0;
  let lastPct = -1;
  let t0 = 0;
  const draw = () => {
    const pct = total ? Math.floor((n / total) * 100) : 100;
    if (stream.isTTY) {
      const width = 30;
      const fill = Math.round((pct / 100) * width);
      stream.write(`\r${label} [${'#'.repeat(fill)}${'.'.repeat(width - fill)}] ${n}/${total} ${pct}%`);
    } else if (Math.floor(pct / 10) !== Math.floor(lastPct / 10)) {
      stream.write(`${label}: ${n}/${total} (${pct}%)\n`);
    }
    lastPct = pct;
  };
  return {
    start(l, t) { label = l; total = t; n = 0; lastPct = -1; t0 = Date.now(); draw(); },
    tick(k = 1) { n = Math.min(total, n + k); draw(); },
    done() {
      if (stream.isTTY) stream.write('\n');
      stream.write(`${label}: done in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
    },
  };
}

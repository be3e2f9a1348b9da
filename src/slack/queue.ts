// The work behind the ack: at most `limit` answers at a time, and the messages of one thread in the order they came.
// Without it, a burst of 1,000 mentions interleaves 1,000 answers that all finish near the end.

export class WorkQueue {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  /** The last task of each key (thread); the next one of that key starts after it. */
  private readonly tails = new Map<string, Promise<void>>();

  constructor(private readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new Error(`a work queue needs a limit of at least 1, not ${limit}`);
  }

  /** How many tasks hold a slot now, and how many wait for one. */
  get load(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting.length };
  }

  async run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const before = this.tails.get(key);
    let done!: () => void;
    const mine = new Promise<void>((resolve) => { done = resolve; });
    const tail = (before ?? Promise.resolve()).then(() => mine);
    this.tails.set(key, tail);
    try {
      await before;
      await this.slot();
      try {
        // Let pending I/O (acks of new requests) run before this task's synchronous work.
        await new Promise<void>((resolve) => setImmediate(resolve));
        return await work();
      } finally {
        this.release();
      }
    } finally {
      done();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }

  private async slot(): Promise<void> {
    if (this.running < this.limit) {
      this.running++;
      return;
    }
    // The slot is handed over by release(): `running` stays as it is.
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.running--;
  }
}

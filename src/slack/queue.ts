// The work behind the ack: at most `limit` answers at a time, and the messages of one thread in the order they came.
// Without it, a burst of 1,000 mentions interleaves 1,000 answers that all finish near the end. Tasks of several groups
// (workspaces) take free slots in turn, so one workspace's burst does not hold back every other workspace's answers.

export class WorkQueue {
  private running = 0;
  /** Tasks waiting for a slot, per group, in the order the groups first waited (a Map keeps insertion order). */
  private readonly waiting = new Map<string, (() => void)[]>();
  private waitingCount = 0;
  /** The last task of each key (thread); the next one of that key starts after it. */
  private readonly tails = new Map<string, Promise<void>>();

  constructor(private readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new Error(`a work queue needs a limit of at least 1, not ${limit}`);
  }

  /** How many tasks hold a slot now, and how many wait for one. */
  get load(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waitingCount };
  }

  /** `group`: whose task it is (a workspace); groups take turns for free slots. */
  async run<T>(key: string, work: () => Promise<T>, group = ''): Promise<T> {
    const before = this.tails.get(key);
    let done!: () => void;
    const mine = new Promise<void>((resolve) => { done = resolve; });
    const tail = (before ?? Promise.resolve()).then(() => mine);
    this.tails.set(key, tail);
    try {
      await before;
      await this.slot(group);
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

  private async slot(group: string): Promise<void> {
    if (this.running < this.limit) {
      this.running++;
      return;
    }
    // The slot is handed over by release(): `running` stays as it is.
    await new Promise<void>((resolve) => {
      const list = this.waiting.get(group);
      if (list) list.push(resolve);
      else this.waiting.set(group, [resolve]);
      this.waitingCount++;
    });
  }

  private release(): void {
    // The group that has waited longest for a turn goes next, then moves to the back of the line.
    const first = this.waiting.entries().next();
    if (first.done) {
      this.running--;
      return;
    }
    const [group, list] = first.value;
    const next = list.shift()!;
    this.waiting.delete(group);
    if (list.length) this.waiting.set(group, list);
    this.waitingCount--;
    next();
  }
}

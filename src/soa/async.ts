// The store's API is asynchronous, so that an engine that waits for a server (PostgreSQL) fits behind it. The SQLite
// engine answers at once: its parts stay synchronous inside, and callers see them through async views.
import { AsyncLocalStorage } from 'node:async_hooks';

/** `T` with every method returning a promise, except the `Keep` ones (pure checks that never read the database). */
export type Async<T, Keep extends keyof T = never> = {
  [K in keyof T as T[K] extends (...a: never[]) => unknown ? K : never]: K extends Keep ? T[K] : T[K] extends (...a: infer A) => infer R ? (...a: A) => Promise<Awaited<R>> : never;
};

/** Runs `fn` now and gives its result, or what it threw, as a settled promise. */
export function settle<T>(fn: () => T): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (e) {
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- what fn threw, passed on as it was
    return Promise.reject(e);
  }
}

/**
 * One writer at a time for a connection that an asynchronous transaction holds across awaits: while `exclusive` runs,
 * every other call waits for it; otherwise a call runs at once (no extra turn of the event loop).
 */
export class Gate {
  private held: Promise<void> | null = null;

  /** Set inside the work of `exclusive`: a call through the gate from there would wait for itself. */
  private readonly within = new AsyncLocalStorage<true>();

  run<T>(fn: () => T): Promise<T> {
    if (!this.held) return settle(fn);
    if (this.within.getStore()) return Promise.reject(new Error('this call would wait for the transaction it runs in: inside Store.batch(), call the store through its tx argument'));
    return this.held.then(() => this.run(fn));
  }

  async exclusive<T>(fn: () => Promise<T>): Promise<T> {
    while (this.held) await this.held;
    let release!: () => void;
    this.held = new Promise<void>((r) => (release = r));
    try {
      return await this.within.run(true, fn);
    } finally {
      this.held = null;
      release();
    }
  }
}

/**
 * An async view of `target`: each of its methods (own and inherited, but not the constructor) runs through `gate`, or
 * at once without one (inside a transaction that holds the gate). `keep` names methods returned as they are.
 */
export function asyncView<T extends object, Keep extends keyof T = never>(target: T, gate?: Gate, keep: Keep[] = []): Async<T, Keep> {
  const view: Record<string, unknown> = {};
  const methods = new Map<string, (...a: unknown[]) => unknown>();
  for (let p = Object.getPrototypeOf(target) as object | null; p && p !== Object.prototype; p = Object.getPrototypeOf(p) as object | null) {
    for (const n of Object.getOwnPropertyNames(p)) {
      // Methods only: a getter is not called here (it may read the database).
      const value = Object.getOwnPropertyDescriptor(p, n)?.value as unknown;
      if (n !== 'constructor' && typeof value === 'function' && !methods.has(n)) methods.set(n, value as (...a: unknown[]) => unknown);
    }
  }
  for (const [n, m] of methods) {
    const bound = m.bind(target);
    view[n] = (keep as string[]).includes(n) ? bound : gate ? (...a: unknown[]) => gate.run(() => bound(...a)) : (...a: unknown[]) => settle(() => bound(...a));
  }
  return view as Async<T, Keep>;
}

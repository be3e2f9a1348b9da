// The chat state's API is asynchronous, so that an engine that waits for a server (PostgreSQL) fits behind it; its
// SQLite engine answers at once, through settle().

/** Runs `fn` now and gives its result, or what it threw, as a settled promise. */
export function settle<T>(fn: () => T): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (e) {
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- what fn threw, passed on as it was
    return Promise.reject(e);
  }
}

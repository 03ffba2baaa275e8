/** The shared store could not be reached or answered too late: the request gets 503. */
export class StoreUnavailableError extends Error {
  constructor(
    operation: string,
    cause: unknown,
    /** Which store, in words a client may see. */
    readonly store: string = 'session store',
  ) {
    super(`${store} unavailable during ${operation}: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'StoreUnavailableError';
  }
}

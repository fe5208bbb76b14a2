/** At most one run of `task` at a time: callers arriving while it runs share its outcome. */
export class SingleFlight<T> {
  #running: Promise<T> | undefined;

  get running(): boolean {
    return this.#running !== undefined;
  }

  run(task: () => Promise<T>): Promise<T> {
    if (this.#running) return this.#running;
    const flight = task().finally(() => {
      if (this.#running === flight) this.#running = undefined;
    });
    this.#running = flight;
    return flight;
  }
}

/**
 * Waits for `promise`, but lets one caller stop waiting when its own `signal` aborts, without
 * cancelling the shared work other callers still wait for.
 */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error as Error);
      },
    );
  });
}

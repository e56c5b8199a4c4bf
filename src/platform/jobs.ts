/**
 * A minimal in-process job runner: work is queued in the store by the caller and run here in
 * the background, one job at a time per runner, so a request never waits for it. Jobs left
 * Queued or Running by a stopped process are picked up again at start (see each domain's
 * `resume`).
 */
export interface JobRunner {
  enqueue(name: string, run: () => Promise<void>): void;
  /** Resolves when every job queued so far has finished (tests, graceful shutdown). */
  idle(): Promise<void>;
}

export function createJobRunner(onError: (name: string, err: unknown) => void): JobRunner {
  let chain: Promise<void> = Promise.resolve();
  return {
    enqueue(name, run) {
      chain = chain
        .then(() => new Promise<void>((resolve) => setImmediate(resolve)))
        .then(run)
        .catch((err) => onError(name, err));
    },
    idle: () => chain,
  };
}

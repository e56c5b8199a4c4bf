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
  /** Jobs queued or running (metrics). */
  depth(): number;
}

export function createJobRunner(onError: (name: string, err: unknown) => void): JobRunner {
  let chain: Promise<void> = Promise.resolve();
  let depth = 0;
  return {
    enqueue(name, run) {
      depth++;
      chain = chain
        .then(() => new Promise<void>((resolve) => setImmediate(resolve)))
        .then(run)
        .catch((err) => onError(name, err))
        .finally(() => void depth--);
    },
    idle: () => chain,
    depth: () => depth,
  };
}

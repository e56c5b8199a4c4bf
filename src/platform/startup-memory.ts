/**
 * Memory that start-up leaves behind. Loading and compiling the modules grows V8's young
 * generation to its largest size (32 MB committed, a few MB of it live), and V8 keeps it until its
 * memory reducer sees the process idle and runs a memory-reducing full collection, about 20 s after
 * start (`node --trace-gc`: "Mark-Compact (reduce)"). `releaseStartupMemory` asks for that same
 * collection once the server is ready, through an in-process inspector session (no port is
 * opened): the young generation shrinks to 1 MB and idle RSS falls by about 30 MB at once
 * (docs/benchmarks.md, issue 22). It costs one full collection, tens of milliseconds, once; the
 * young generation grows again under load as it always does.
 */
import type { Session } from 'node:inspector';

/** Resolves once the collection is done; false when this Node has no inspector (it is optional). */
export async function releaseStartupMemory(): Promise<boolean> {
  let session: Session;
  try {
    const inspector = await import('node:inspector');
    session = new inspector.Session();
    session.connect();
  } catch {
    return false;
  }
  try {
    // V8's LowMemoryNotification: full collections with the memory-reducing flags, as the memory
    // reducer runs them.
    await new Promise<void>((resolve, reject) =>
      session.post('HeapProfiler.collectGarbage', (err) => (err ? reject(err) : resolve())),
    );
    return true;
  } finally {
    session.disconnect();
  }
}

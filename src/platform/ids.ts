import { randomFillSync, randomUUID } from 'node:crypto';

export const newId = (): string => randomUUID();

let lastMs = 0;
const pool = Buffer.alloc(4096);
let poolAt = pool.length;
let counter = 0;

/**
 * A UUID version 7 (RFC 9562): 48 bits of milliseconds, then a 12-bit counter (RFC 9562
 * §6.2 method 1) and random bits, so ids made by one process sort in creation order even
 * within one millisecond. Used where listing order is time order (audit events).
 */
export function newTimeOrderedId(ms = Date.now()): string {
  if (ms > lastMs) {
    lastMs = ms;
    counter = 0;
  } else if (++counter > 0xfff) {
    lastMs += 1;
    counter = 0;
  }
  // Random bytes drawn 4 KiB at a time: one call per 256 ids rather than one per id.
  if (poolAt + 16 > pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  const b = Buffer.from(pool.subarray(poolAt, poolAt + 16));
  poolAt += 16;
  b.writeUIntBE(lastMs, 0, 6);
  b[6] = 0x70 | (counter >> 8);
  b[7] = counter & 0xff;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Whether a text is a UUID: ids Gatehouse issues are; any other id names nothing, and is never sent to a uuid column. */
export const isUuid = (id: string): boolean => UUID.test(id);

/**
 * A webhook receiver for audit stream tests: records every POST, checks its signature, and
 * answers as the test tells it (2xx, an error status, or never).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

export interface Received {
  body: {
    deliveryId: string;
    streamId: string;
    events: { id: string; action: string; entityType: string; propertyChanges: unknown[] }[];
  };
  signature: string;
  raw: string;
  /** What the receiver answered ('hang': nothing; the sender must not count it as delivered). */
  answer: Answer;
}

export type Answer = number | 'hang';

export interface Receiver {
  url: string;
  received: Received[];
  /** Ids of the events in the requests acknowledged with a 2xx (each once). */
  ids(): Set<string>;
  /** Decides the answer to the n-th request (0-based); default 200. */
  answer: (n: number, r: Received) => Answer;
  verify(r: Received, secret: string): boolean;
  waitFor(predicate: () => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const held: ServerResponse[] = [];
  const receiver: Receiver = {
    url: '',
    received: [],
    ids: () =>
      new Set(
        receiver.received
          .filter((r) => typeof r.answer === 'number' && r.answer < 300)
          .flatMap((r) => r.body.events.map((e) => e.id)),
      ),
    answer: () => 200,
    verify(r, secret) {
      const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(r.signature);
      if (!m) return false;
      const expected = createHmac('sha256', secret).update(`${m[1]}.${r.raw}`).digest();
      return timingSafeEqual(expected, Buffer.from(m[2]!, 'hex'));
    },
    async waitFor(predicate, timeoutMs = 20_000) {
      const until = Date.now() + timeoutMs;
      while (!predicate()) {
        if (Date.now() > until)
          throw new Error(`timed out; received ${receiver.received.length} requests, ${receiver.ids().size} events`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    close: () =>
      new Promise((resolve) => {
        for (const res of held) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let raw = '';
    req.on('data', (d) => {
      raw += d;
    });
    req.on('end', () => {
      const r: Received = {
        body: JSON.parse(raw),
        signature: String(req.headers['x-gatehouse-signature'] ?? ''),
        raw,
        answer: 200,
      };
      const n = receiver.received.length;
      receiver.received.push(r);
      const answer = receiver.answer(n, r);
      r.answer = answer;
      if (answer === 'hang') {
        held.push(res);
        return;
      }
      res.writeHead(answer).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  receiver.url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/hook`;
  return receiver;
}

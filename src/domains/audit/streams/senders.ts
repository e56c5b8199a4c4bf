/**
 * How a batch of audit events leaves Gatehouse. A sender resolves only when the receiver has
 * taken every event of the batch; anything else throws and the batch is tried again later.
 *
 * Webhook: one POST per batch, body `{"deliveryId", "streamId", "events": [AuditLogMessage…]}`,
 * signed `X-Gatehouse-Signature: t=<unix seconds>,v1=<hex HMAC-SHA-256 of "<t>.<body>">` with the
 * stream's secret. Any 2xx is success. Receivers deduplicate by the events' `id`s: a batch
 * may arrive twice (after a crash between sending and recording it), never with other ids.
 *
 * NATS: each event is published to JetStream on the stream's subject with `Nats-Msg-Id` = the
 * event id, so the server drops a redelivery within its duplicate window (2 minutes by default).
 */
import { createHmac } from 'node:crypto';
import type { NatsConnection } from '@nats-io/transport-node';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { newId } from '../../../platform/ids.ts';
import {
  BlockedAddressError,
  type DestinationPolicy,
  guardedLookup,
  isPublicAddress,
} from '../../../platform/outbound-address.ts';
import type { AuditMessage } from '../views.ts';

export interface Batch {
  streamId: string;
  target: string;
  secret: string | null;
  events: AuditMessage[];
}

export interface StreamSenders {
  webhook(batch: Batch): Promise<void>;
  nats(batch: Batch): Promise<void>;
  /** Makes sure a JetStream stream captures the subject (when a NATS stream is created). */
  ensureNatsSubject(subject: string): Promise<void>;
  readonly natsConfigured: boolean;
  /** Resolves when the NATS server answers a round trip within `timeoutMs` (readiness). */
  natsPing(timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

/** The JetStream stream Gatehouse creates when none captures the subjects under `gatehouse.audit.`. */
export const NATS_STREAM = 'GATEHOUSE_AUDIT';
export const NATS_SUBJECT_ROOT = 'gatehouse.audit';

export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `t=${timestamp},v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * What a webhook stream's lastError may say: the status, or that no connection was made. The
 * network error itself (refused, reset, TLS, DNS) would tell an organization admin which
 * internal services answer; it goes to the operator's log only.
 */
export class WebhookError extends Error {
  override name = 'WebhookError';
}

/**
 * One POST over node:http(s), answering the status. Redirects are not followed (a 3xx is a
 * failed delivery); every connection's address is checked (outbound-address.ts).
 */
function postWebhook(
  target: string,
  body: string,
  o: { headers: Record<string, string>; timeoutMs: number; policy: DestinationPolicy },
): Promise<number> {
  const url = new URL(target);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host) && !o.policy.allowPrivate && !isPublicAddress(host)) {
    return Promise.reject(new WebhookError('could not connect', { cause: new BlockedAddressError(host) }));
  }
  if (url.protocol !== 'https:' && !o.policy.allowPrivate) {
    return Promise.reject(new WebhookError('could not connect', { cause: new Error('not https') }));
  }
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      url,
      {
        method: 'POST',
        headers: { ...o.headers, 'content-length': Buffer.byteLength(body) },
        lookup: guardedLookup(o.policy) as never,
        signal: AbortSignal.timeout(o.timeoutMs),
        agent: false,
      },
      (res) => {
        res.resume();
        res.on('error', () => {});
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('error', (err) => reject(new WebhookError('could not connect', { cause: err })));
    req.end(body);
  });
}

export function createSenders(opts: {
  natsUrl: string | null;
  now: () => Date;
  timeoutMs?: number;
  /** Private and loopback receivers allowed (--audit-stream-allow-private). */
  allowPrivate?: boolean;
}): StreamSenders {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  let nats: Promise<NatsConnection> | null = null;
  const natsConnection = () => {
    const servers = opts.natsUrl;
    if (!servers) throw new Error('NATS is not configured (GATEHOUSE_NATS_URL).');
    // The NATS client is loaded with the first connection (a server without NATS never loads it).
    nats ??= import('@nats-io/transport-node')
      .then(({ connect }) => connect({ servers, name: 'gatehouse-audit', maxReconnectAttempts: -1 }))
      .catch((err) => {
        nats = null;
        throw err;
      });
    return nats;
  };

  return {
    natsConfigured: !!opts.natsUrl,

    async webhook(batch) {
      const body = JSON.stringify({ deliveryId: newId(), streamId: batch.streamId, events: batch.events });
      const t = Math.floor(opts.now().getTime() / 1000);
      const status = await postWebhook(batch.target, body, {
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Gatehouse-Audit-Stream/1',
          'x-gatehouse-signature': signWebhook(batch.secret ?? '', t, body),
        },
        timeoutMs,
        policy: { allowPrivate: opts.allowPrivate ?? false },
      });
      if (status < 200 || status > 299) throw new WebhookError(`delivery failed (status ${status})`);
    },

    async nats(batch) {
      const { jetstream } = await import('@nats-io/jetstream');
      const js = jetstream(await natsConnection(), { timeout: timeoutMs });
      for (const event of batch.events) {
        await js.publish(batch.target, JSON.stringify(event), { msgID: event.id });
      }
    },

    async ensureNatsSubject(subject) {
      const { jetstreamManager } = await import('@nats-io/jetstream');
      const jsm = await jetstreamManager(await natsConnection());
      const existing = await jsm.streams.find(subject).catch(() => null);
      if (existing) return;
      await jsm.streams.add({ name: NATS_STREAM, subjects: [`${NATS_SUBJECT_ROOT}.>`] });
    },

    async natsPing(timeoutMs) {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('NATS did not answer in time')), timeoutMs);
      });
      try {
        await Promise.race([natsConnection().then((nc) => nc.flush()), late]);
      } finally {
        clearTimeout(timer);
      }
    },

    async close() {
      const pending = nats;
      nats = null;
      if (pending) await (await pending.catch(() => null))?.close();
    },
  };
}

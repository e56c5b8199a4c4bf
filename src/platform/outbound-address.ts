/**
 * Where Gatehouse may send data on an organization's behalf (audit-stream webhooks): public
 * unicast addresses only, unless the operator allows private ones for on-premises receivers
 * (--audit-stream-allow-private). Checked when the destination is saved and again on every
 * connection (a name may resolve elsewhere by then: DNS rebinding). ipaddr.js classifies the
 * ranges; the WHATWG URL parser has already turned decimal, hex and short IPv4 forms
 * (`2130706433`, `0x7f000001`, `127.1`) into dotted quads.
 */
import type { LookupAddress, LookupAllOptions, LookupOneOptions } from 'node:dns';
import { lookup as dnsLookup } from 'node:dns';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { invalidValue } from './errors/catalogue.ts';

/** Whether `address` (an IP literal, IPv6 with or without brackets) is a public unicast address. */
export function isPublicAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '');
  if (!ipaddr.isValid(bare)) return false;
  // IPv4-mapped IPv6 (::ffff:127.0.0.1) is judged as the IPv4 address it carries.
  const ip = ipaddr.process(bare);
  // 'unicast' is what ipaddr.js calls everything outside its special-purpose ranges: loopback,
  // private, link-local (cloud metadata 169.254.169.254), CGNAT, multicast, unique-local,
  // 6to4/Teredo/NAT64 (which embed IPv4 addresses) and the reserved ones all have other names.
  return ip.range() === 'unicast';
}

export class BlockedAddressError extends Error {
  override name = 'BlockedAddressError';
  code = 'EADDRBLOCKED';
}

export interface DestinationPolicy {
  /** Private, loopback and link-local destinations allowed (on-premises receivers). */
  allowPrivate: boolean;
}

const resolveAll = (host: string) =>
  new Promise<LookupAddress[]>((resolve, reject) =>
    dnsLookup(host, { all: true, verbatim: true }, (err, addresses) => (err ? reject(err) : resolve(addresses))),
  );

/**
 * Refuses (400 naming the field) a webhook URL that is not https, carries credentials or a
 * fragment, or names or resolves to a non-public address. A name that does not resolve yet
 * is accepted: the connection checks it again.
 */
export async function checkWebhookDestination(uri: string, field: string, policy: DestinationPolicy): Promise<URL> {
  let u: URL;
  try {
    u = new URL(uri);
  } catch {
    throw invalidValue(field, `"${uri}" is not an absolute URI.`);
  }
  if (u.hash) throw invalidValue(field, `"${uri}" must not have a fragment (#…).`);
  if (u.username || u.password) throw invalidValue(field, `"${uri}" must not carry credentials.`);
  const host = u.hostname.replace(/^\[|\]$/g, '');
  if (policy.allowPrivate) {
    // Plain http only to an on-premises receiver named by a private address or localhost.
    const onPremises = host === 'localhost' || (isIP(host) !== 0 && !isPublicAddress(host));
    if (u.protocol === 'https:' || (u.protocol === 'http:' && onPremises)) return u;
    throw invalidValue(field, `"${uri}" must use https (plain http only to a private address).`);
  }
  if (u.protocol !== 'https:') throw invalidValue(field, `"${uri}" must use https.`);
  const refused = () => invalidValue(field, `"${uri}" must reach a public address.`);
  if (isIP(host)) {
    if (!isPublicAddress(host)) throw refused();
    return u;
  }
  const addresses = await resolveAll(host).catch(() => []);
  if (addresses.some((a) => !isPublicAddress(a.address))) throw refused();
  return u;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for net/https connections that refuses non-public addresses at connect time. IP
 * literals never reach a lookup, so callers check those with isPublicAddress first.
 */
export function guardedLookup(policy: DestinationPolicy) {
  return (hostname: string, options: LookupOneOptions | LookupAllOptions, callback: LookupCallback) => {
    dnsLookup(hostname, { all: true, verbatim: true }, (err, addresses) => {
      if (err) return callback(err, []);
      const allowed = policy.allowPrivate ? addresses : addresses.filter((a) => isPublicAddress(a.address));
      if (allowed.length === 0 || allowed.length !== addresses.length) {
        return callback(new BlockedAddressError(`${hostname} resolves to a non-public address`), []);
      }
      if ((options as LookupAllOptions).all) return callback(null, allowed);
      callback(null, allowed[0].address, allowed[0].family);
    });
  };
}

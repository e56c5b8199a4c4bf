/** URLs that Gatehouse sends people or data to: https, or plain http only on the loopback. */
import { invalidValue } from './errors/catalogue.ts';

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Refuses (400 naming the field) anything but an absolute https URL or a loopback http URL without fragment or credentials. */
export function checkHttpsUrl(uri: string, field: string): URL {
  let u: URL;
  try {
    u = new URL(uri);
  } catch {
    throw invalidValue(field, `"${uri}" is not an absolute URI.`);
  }
  if (u.hash) throw invalidValue(field, `"${uri}" must not have a fragment (#…).`);
  if (u.protocol === 'http:' && !LOOPBACK.has(u.hostname)) {
    throw invalidValue(
      field,
      `"${uri}" must use https (plain http is allowed only for localhost, 127.0.0.1 and [::1]).`,
    );
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw invalidValue(field, `"${uri}" must use https.`);
  if (u.username || u.password) throw invalidValue(field, `"${uri}" must not carry credentials.`);
  return u;
}

/**
 * SAML protocol messages of the flows beyond the AuthnRequest (saml/authn-request.ts): peeking at a
 * received Response to pick the provider that must then validate it, and single logout —
 * LogoutRequest / LogoutResponse built by us and received with the HTTP-Redirect binding (SAML
 * Bindings §3.4: DEFLATE, query signature over the exact bytes received). Nothing read by `peek`
 * is trusted: it only chooses which provider's certificates verify the response.
 */
import { createPrivateKey, verify as cryptoVerify, randomBytes, sign as cryptoSign } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { RSA_SHA256 } from '../saml/authn-request.ts';
import { SamlError } from '../saml/errors.ts';
import { parseCertificate } from '../saml/metadata.ts';
import {
  attr,
  childrenNamed,
  decodeBase64Text,
  descendantsNamed,
  escapeXml,
  is,
  NS,
  parseXml,
  simpleText,
  XML_LIMITS,
} from '../saml/xml.ts';

const instant = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');
export const newMessageId = () => `_${randomBytes(20).toString('hex')}`;

/** Unverified hints from a received Response: who says they sent it, what it answers, which org it names. */
export function peekResponse(b64: string): {
  issuer: string | null;
  inResponseTo: string | null;
  organizationName: string | null;
} {
  const doc = parseXml(decodeBase64Text(b64, XML_LIMITS.message, 'SAML response'), {
    maxBytes: XML_LIMITS.message,
    label: 'SAML response',
  });
  const root = doc.documentElement!;
  if (!is(root, NS.samlp, 'Response'))
    throw new SamlError('document.malformed', 'the root element is not samlp:Response');
  const issuerEl = childrenNamed(root, NS.saml, 'Issuer')[0] ?? descendantsNamed(root, NS.saml, 'Issuer')[0];
  let organizationName: string | null = null;
  for (const a of descendantsNamed(root, NS.saml, 'Attribute')) {
    if (attr(a, 'Name') !== 'OrganizationName') continue;
    const v = childrenNamed(a, NS.saml, 'AttributeValue')[0];
    organizationName = v ? simpleText(v) : null;
  }
  return { issuer: issuerEl ? simpleText(issuerEl) : null, inResponseTo: attr(root, 'InResponseTo'), organizationName };
}

export function buildLogoutRequest(o: {
  id: string;
  issuer: string;
  destination: string;
  nameId: string;
  nameIdFormat: string | null;
  sessionIndex: string | null;
  now: Date;
}): string {
  const format = o.nameIdFormat ? ` Format="${escapeXml(o.nameIdFormat)}"` : '';
  return (
    `<samlp:LogoutRequest xmlns:samlp="${NS.samlp}" xmlns:saml="${NS.saml}" ID="${o.id}" Version="2.0" IssueInstant="${instant(o.now)}"` +
    ` Destination="${escapeXml(o.destination)}"><saml:Issuer>${escapeXml(o.issuer)}</saml:Issuer>` +
    `<saml:NameID${format}>${escapeXml(o.nameId)}</saml:NameID>` +
    `${o.sessionIndex ? `<samlp:SessionIndex>${escapeXml(o.sessionIndex)}</samlp:SessionIndex>` : ''}</samlp:LogoutRequest>`
  );
}

export function buildLogoutResponse(o: {
  issuer: string;
  destination: string;
  inResponseTo: string;
  success: boolean;
  now: Date;
}): string {
  const status = o.success
    ? 'urn:oasis:names:tc:SAML:2.0:status:Success'
    : 'urn:oasis:names:tc:SAML:2.0:status:Requester';
  return (
    `<samlp:LogoutResponse xmlns:samlp="${NS.samlp}" xmlns:saml="${NS.saml}" ID="${newMessageId()}" Version="2.0" IssueInstant="${instant(o.now)}"` +
    ` Destination="${escapeXml(o.destination)}" InResponseTo="${escapeXml(o.inResponseTo)}"><saml:Issuer>${escapeXml(o.issuer)}</saml:Issuer>` +
    `<samlp:Status><samlp:StatusCode Value="${status}"/></samlp:Status></samlp:LogoutResponse>`
  );
}

/**
 * A LogoutResponse sent with the HTTP-Redirect binding: `SAMLResponse` (DEFLATE, base64), the
 * RelayState echoed, and the query signature (rsa-sha256) over exactly what is sent (§3.4.4.1).
 * (saml/authn-request.ts redirectBindingUrl sends requests only.)
 */
export function redirectResponseUrl(o: {
  url: string;
  xml: string;
  relayState: string | null;
  signingKeyPem: string;
}): string {
  let query = `SAMLResponse=${encodeURIComponent(deflateRawSync(Buffer.from(o.xml, 'utf8')).toString('base64'))}`;
  if (o.relayState !== null) query += `&RelayState=${encodeURIComponent(o.relayState)}`;
  query += `&SigAlg=${encodeURIComponent(RSA_SHA256)}`;
  const signature = cryptoSign('sha256', Buffer.from(query, 'utf8'), createPrivateKey(o.signingKeyPem)).toString(
    'base64',
  );
  return `${o.url}${o.url.includes('?') ? '&' : '?'}${query}&Signature=${encodeURIComponent(signature)}`;
}

/**
 * Percent-decoding of a received query value; malformed escapes are a refusal, not a crash. A raw
 * '+' is a space only in RelayState: in base64 values some IdPs leave it unescaped.
 */
function unescapeQuery(value: string, plusIsSpace = false): string {
  try {
    return decodeURIComponent(plusIsSpace ? value.replace(/\+/g, '%20') : value);
  } catch {
    throw new SamlError('document.malformed', 'the logout message query is not validly percent-encoded');
  }
}

export interface ReceivedLogout {
  kind: 'LogoutRequest' | 'LogoutResponse';
  id: string;
  issuer: string | null;
  destination: string | null;
  inResponseTo: string | null;
  success: boolean;
  nameId: string | null;
  sessionIndexes: string[];
  relayState: string | null;
}

/**
 * A LogoutRequest or LogoutResponse received with the HTTP-Redirect binding. `rawQuery` is the
 * query string exactly as received: the signature covers those bytes (Bindings §3.4.4.1). The
 * signature is required and must verify with one of `certificates` (unexpired); rsa-sha256 only.
 */
export function readRedirectLogout(rawQuery: string, certificates: string[], now: Date): ReceivedLogout {
  const parts = new Map<string, string>();
  for (const pair of rawQuery.split('&')) {
    const eq = pair.indexOf('=');
    if (eq > 0) parts.set(pair.slice(0, eq), pair.slice(eq + 1));
  }
  const name = parts.has('SAMLRequest') ? 'SAMLRequest' : parts.has('SAMLResponse') ? 'SAMLResponse' : null;
  if (!name) throw new SamlError('document.malformed', 'neither SAMLRequest nor SAMLResponse in the query');
  const sigAlg = parts.get('SigAlg');
  const signature = parts.get('Signature');
  if (!sigAlg || !signature) throw new SamlError('signature.missing', 'the logout message is not signed');
  if (unescapeQuery(sigAlg) !== RSA_SHA256) throw new SamlError('signature.unsupported', 'SigAlg is not rsa-sha256');
  const signed = [name, 'RelayState', 'SigAlg']
    .filter((k) => parts.has(k))
    .map((k) => `${k}=${parts.get(k)}`)
    .join('&');
  const sig = Buffer.from(unescapeQuery(signature), 'base64');
  const ok = certificates.some((pem) => {
    try {
      const cert = parseCertificate(pem);
      if (new Date(cert.validTo) < now || new Date(cert.validFrom) > now) return false;
      return cryptoVerify('sha256', Buffer.from(signed, 'utf8'), cert.publicKey, sig);
    } catch {
      return false;
    }
  });
  if (!ok)
    throw new SamlError(
      'signature.invalid',
      'the logout message signature does not verify with a configured certificate',
    );

  const compressed = Buffer.from(unescapeQuery(parts.get(name)!), 'base64');
  let xml: string;
  try {
    xml = inflateRawSync(compressed, { maxOutputLength: XML_LIMITS.message }).toString('utf8');
  } catch (e) {
    throw new SamlError('document.malformed', 'the logout message is not DEFLATE-encoded', { cause: e });
  }
  const root = parseXml(xml, { maxBytes: XML_LIMITS.message, label: 'logout message' }).documentElement!;
  const kind = is(root, NS.samlp, 'LogoutRequest')
    ? 'LogoutRequest'
    : is(root, NS.samlp, 'LogoutResponse')
      ? 'LogoutResponse'
      : null;
  if (!kind || (kind === 'LogoutRequest') !== (name === 'SAMLRequest'))
    throw new SamlError('document.malformed', 'not a logout message');
  const issuer = childrenNamed(root, NS.saml, 'Issuer')[0];
  const nameId = childrenNamed(root, NS.saml, 'NameID')[0];
  const code = descendantsNamed(root, NS.samlp, 'StatusCode')[0];
  const relay = parts.get('RelayState');
  return {
    kind,
    id: attr(root, 'ID') ?? '',
    issuer: issuer ? simpleText(issuer) : null,
    destination: attr(root, 'Destination'),
    inResponseTo: attr(root, 'InResponseTo'),
    success: code ? attr(code, 'Value') === 'urn:oasis:names:tc:SAML:2.0:status:Success' : false,
    nameId: nameId ? simpleText(nameId) : null,
    sessionIndexes: childrenNamed(root, NS.samlp, 'SessionIndex')
      .map((e) => simpleText(e) ?? '')
      .filter(Boolean),
    relayState: relay === undefined ? null : unescapeQuery(relay, true),
  };
}

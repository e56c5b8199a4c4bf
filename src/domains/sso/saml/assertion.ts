/**
 * What the verified message says (rules 6–8 of response.ts): Issuer, Destination, Recipient,
 * Audience, InResponseTo, time windows with skew, NameID, attributes and the email, read only
 * from verified elements.
 */
import type { Element } from '@xmldom/xmldom';
import { SamlError } from './errors.ts';
import type { SamlLogin, ValidateOptions } from './options.ts';
import { checkVersion } from './shape.ts';
import { attr, childrenNamed, elementChildren, NS, optionalChild, simpleText, textOf } from './xml.ts';

const BEARER = 'urn:oasis:names:tc:SAML:2.0:cm:bearer';

export function checkEnvelope(envelope: Element, opts: ValidateOptions, signed: boolean) {
  const issuer = optionalChild(envelope, NS.saml, 'Issuer');
  if (issuer && textOf(issuer) !== opts.idp.entityId) {
    throw new SamlError(
      'issuer.mismatch',
      `the Response Issuer is "${textOf(issuer)}", expected "${opts.idp.entityId}"`,
    );
  }
  const destination = attr(envelope, 'Destination');
  if (destination === null && signed) {
    throw new SamlError('destination.missing', 'a signed Response must name its Destination (SAML Bindings §3.5.5.2)');
  }
  if (destination !== null && destination !== opts.sp.acsUrl) {
    throw new SamlError(
      'destination.mismatch',
      `the Response Destination is "${destination}", expected "${opts.sp.acsUrl}"`,
    );
  }
  checkInResponseTo(attr(envelope, 'InResponseTo'), opts, 'Response');
}

function checkInResponseTo(value: string | null, opts: ValidateOptions, where: string) {
  const expected = opts.expectedInResponseTo ?? null;
  if (expected !== null) {
    if (value !== expected) {
      const got = value === null ? 'absent' : `"${value}"`;
      throw new SamlError('in-response-to.mismatch', `the ${where} InResponseTo is ${got}, expected "${expected}"`);
    }
    return;
  }
  if (value !== null) {
    throw new SamlError(
      'in-response-to.unexpected',
      `the ${where} answers request "${value}", but no request is pending`,
    );
  }
  if (!opts.allowIdpInitiated)
    throw new SamlError('unsolicited.not-allowed', 'IdP-initiated (unsolicited) responses are not allowed');
}

interface Clock {
  now: number;
  skew: number;
}

/** xs:dateTime with a zone (SAML requires UTC); fractions beyond milliseconds (AD FS writes 7 digits) are truncated. */
function instant(el: Element, name: string): number | null {
  const value = attr(el, name);
  if (value === null) return null;
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.exec(value.trim());
  const t = m ? Date.parse(`${m[1]}${m[2] ? m[2].slice(0, 4) : ''}${m[3]}`) : Number.NaN;
  if (Number.isNaN(t))
    throw new SamlError('document.malformed', `${el.localName} ${name}="${value}" is not a UTC date-time`);
  return t;
}

function checkWindow(el: Element, clock: Clock, what: string, notOnOrAfterName = 'NotOnOrAfter'): number | null {
  const notBefore = instant(el, 'NotBefore');
  const notOnOrAfter = instant(el, notOnOrAfterName);
  if (notBefore !== null && clock.now + clock.skew < notBefore) {
    throw new SamlError(
      'assertion.not-yet-valid',
      `${what} NotBefore ${new Date(notBefore).toISOString()} is in the future`,
    );
  }
  if (notOnOrAfter !== null && clock.now - clock.skew >= notOnOrAfter) {
    throw new SamlError(
      'assertion.expired',
      `${what} ${notOnOrAfterName} ${new Date(notOnOrAfter).toISOString()} has passed`,
    );
  }
  return notOnOrAfter;
}

const KNOWN_CONDITIONS = new Set(['AudienceRestriction', 'OneTimeUse', 'ProxyRestriction']);

/** The Subject's NameID (EncryptedID and BaseID are not supported), with its format. */
function readSubject(a: Element) {
  const subject = optionalChild(a, NS.saml, 'Subject');
  const nameIdEl = subject ? optionalChild(subject, NS.saml, 'NameID') : null;
  if (!subject || !nameIdEl) {
    throw new SamlError(
      'subject.missing',
      'the Assertion has no Subject/NameID (EncryptedID and BaseID are not supported)',
    );
  }
  const nameId = textOf(nameIdEl);
  if (nameId === '') throw new SamlError('subject.missing', 'the NameID is empty');
  return { subject, nameId, nameIdFormat: attr(nameIdEl, 'Format') };
}

/** Until when one bearer SubjectConfirmation holds for this ACS, now, and this request; throws when it does not. */
function confirmedBy(sc: Element, opts: ValidateOptions, clock: Clock, responseSigned: boolean): number {
  const data = optionalChild(sc, NS.saml, 'SubjectConfirmationData');
  if (!data)
    throw new SamlError('subject.unconfirmed', 'the bearer SubjectConfirmation has no SubjectConfirmationData');
  const recipient = attr(data, 'Recipient');
  if (recipient !== opts.sp.acsUrl) {
    throw new SamlError(
      'recipient.mismatch',
      `SubjectConfirmationData Recipient is "${recipient}", expected "${opts.sp.acsUrl}"`,
    );
  }
  const until = checkWindow(data, clock, 'SubjectConfirmationData');
  if (until === null) throw new SamlError('subject.unconfirmed', 'SubjectConfirmationData has no NotOnOrAfter');
  const inResponseTo = attr(data, 'InResponseTo');
  if (inResponseTo === null && opts.expectedInResponseTo != null && !responseSigned) {
    // Only the assertion is signed, so only its InResponseTo ties it to our request: without it, an
    // unsolicited assertion could be wrapped in a forged Response answering the victim's request.
    throw new SamlError(
      'in-response-to.mismatch',
      'the signed assertion has no InResponseTo and the Response is not signed',
    );
  }
  if (inResponseTo !== null || opts.expectedInResponseTo == null)
    checkInResponseTo(inResponseTo, opts, 'SubjectConfirmationData');
  return until;
}

/** Until when the first bearer SubjectConfirmation that holds does; else the first one's error. */
function confirmSubject(subject: Element, opts: ValidateOptions, clock: Clock, responseSigned: boolean): number {
  const bearers = childrenNamed(subject, NS.saml, 'SubjectConfirmation').filter((sc) => attr(sc, 'Method') === BEARER);
  if (bearers.length === 0) throw new SamlError('subject.unconfirmed', 'the Subject has no bearer SubjectConfirmation');
  let firstError: unknown = null;
  for (const sc of bearers) {
    try {
      return confirmedBy(sc, opts, clock, responseSigned);
    } catch (e) {
      firstError ??= e;
    }
  }
  throw firstError;
}

/** The Conditions: the time window (answered: its NotOnOrAfter), known conditions only, and our audience. */
function checkConditions(a: Element, opts: ValidateOptions, clock: Clock): number | null {
  const conditions = optionalChild(a, NS.saml, 'Conditions');
  if (!conditions)
    throw new SamlError('audience.mismatch', 'the Assertion has no Conditions, so no AudienceRestriction');
  const conditionsUntil = checkWindow(conditions, clock, 'Conditions');
  const restrictions = childrenNamed(conditions, NS.saml, 'AudienceRestriction');
  for (const c of elementChildren(conditions)) {
    if (c.namespaceURI !== NS.saml || !KNOWN_CONDITIONS.has(c.localName ?? '')) {
      throw new SamlError('assertion.unsupported-condition', `unsupported condition {${c.namespaceURI}}${c.localName}`);
    }
  }
  if (restrictions.length === 0) throw new SamlError('audience.mismatch', 'the Assertion has no AudienceRestriction');
  for (const r of restrictions) {
    const audiences = childrenNamed(r, NS.saml, 'Audience').map((el) => textOf(el));
    if (!audiences.includes(opts.sp.entityId)) {
      const named = audiences.map((x) => `"${x}"`).join(', ') || 'no audience';
      throw new SamlError('audience.mismatch', `the Assertion is for ${named}, not "${opts.sp.entityId}"`);
    }
  }
  return conditionsUntil;
}

/** The AuthnStatements' session windows; answers the first one's SessionIndex. */
function checkAuthn(a: Element, clock: Clock): string | null {
  const authn = childrenNamed(a, NS.saml, 'AuthnStatement');
  if (authn.length === 0) throw new SamlError('authn-statement.missing', 'the Assertion has no AuthnStatement');
  for (const s of authn) checkWindow(s, clock, 'AuthnStatement', 'SessionNotOnOrAfter');
  return attr(authn[0], 'SessionIndex');
}

export function readAssertion(
  a: Element,
  opts: ValidateOptions,
  responseInResponseTo: string | null,
  responseSigned: boolean,
): SamlLogin & { replayUntil: Date } {
  const clock: Clock = { now: opts.now.getTime(), skew: (opts.skewSeconds ?? 10) * 1000 };
  checkVersion(a, 'Assertion');
  const assertionId = attr(a, 'ID');
  if (!assertionId) throw new SamlError('document.malformed', 'the Assertion has no ID');

  const issuerEl = optionalChild(a, NS.saml, 'Issuer');
  const issuer = issuerEl ? textOf(issuerEl) : null;
  if (issuer !== opts.idp.entityId) {
    throw new SamlError('issuer.mismatch', `the Assertion Issuer is "${issuer}", expected "${opts.idp.entityId}"`);
  }

  const { subject, nameId, nameIdFormat } = readSubject(a);
  const confirmedUntil = confirmSubject(subject, opts, clock, responseSigned);
  const conditionsUntil = checkConditions(a, opts, clock);
  const sessionIndex = checkAuthn(a, clock);

  const attributes = readAttributes(a);
  const until = Math.max(confirmedUntil, conditionsUntil ?? 0) + clock.skew;
  return {
    issuer,
    nameId,
    nameIdFormat,
    sessionIndex,
    assertionId,
    inResponseTo: responseInResponseTo,
    attributes,
    email: emailOf(nameId, attributes),
    replayUntil: new Date(until),
  };
}

function readAttributes(a: Element): Record<string, string[]> {
  const map = new Map<string, string[]>();
  for (const statement of childrenNamed(a, NS.saml, 'AttributeStatement')) {
    for (const attribute of childrenNamed(statement, NS.saml, 'Attribute')) {
      const name = attr(attribute, 'Name');
      if (!name) continue;
      const values = map.get(name) ?? [];
      for (const v of childrenNamed(attribute, NS.saml, 'AttributeValue')) {
        if (v.getAttributeNS(NS.xsi, 'nil') === 'true') continue;
        const text = simpleText(v);
        if (text !== null) values.push(text.trim());
      }
      map.set(name, values);
    }
  }
  // Object.fromEntries defines own properties: an attribute named "__proto__" stays data.
  return Object.fromEntries(map);
}

const EMAIL = /^[^\s@<>()",;:]+@[^\s@<>()",;:]+\.[^\s@<>()",;:]+$/;
const EMAIL_ATTRIBUTES = [
  'email',
  'mail',
  'emailaddress',
  'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress',
  'http://schemas.xmlsoap.org/claims/emailaddress',
  'urn:oid:0.9.2342.19200300.100.1.3',
  'user.email',
];

/** Length-bounded first: the pattern backtracks quadratically on long dotted strings. */
const isEmail = (value: string) => value.length <= 254 && EMAIL.test(value);

function emailOf(nameId: string, attributes: Record<string, string[]>): string | null {
  if (isEmail(nameId)) return nameId;
  const byName = new Map(Object.entries(attributes).map(([k, v]) => [k.toLowerCase(), v]));
  for (const name of EMAIL_ATTRIBUTES) {
    const value = byName.get(name)?.find(isEmail);
    if (value) return value;
  }
  return null;
}

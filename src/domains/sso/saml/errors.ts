/**
 * The one error type of the SAML service provider.
 *
 * Every refusal carries a stable machine `code` (logged, counted, asserted by the tests, mapped to
 * HTTP by the route handler) and a `message` written for the person at the browser: it says what
 * went wrong in plain words and never echoes anything the (possibly hostile) document said. The
 * technical reason, which may quote the document, goes to `detail`, for logs and administrators only.
 */

export type SamlErrorCode =
  // The document itself (xml.ts): size, well-formedness, DTDs (xmldom CVE-2022-39299/39353 class).
  | 'document.too-large'
  | 'document.malformed'
  | 'document.dtd'
  | 'document.processing-instruction'
  | 'document.multiple-roots'
  | 'document.multiple-responses'
  | 'document.multiple-assertions'
  | 'document.no-assertion'
  | 'document.duplicate-id'
  | 'document.unsupported-version'
  // Signatures and certificates.
  | 'signature.missing'
  | 'signature.invalid'
  | 'signature.misplaced'
  | 'signature.unsupported'
  | 'certificate.none-valid'
  | 'certificate.invalid'
  // Encrypted assertions.
  | 'decryption.not-configured'
  | 'decryption.failed'
  // What the (verified) message says.
  | 'status.not-success'
  | 'issuer.mismatch'
  | 'destination.missing'
  | 'destination.mismatch'
  | 'recipient.mismatch'
  | 'audience.mismatch'
  | 'in-response-to.mismatch'
  | 'in-response-to.unexpected'
  | 'unsolicited.not-allowed'
  | 'assertion.expired'
  | 'assertion.not-yet-valid'
  | 'assertion.replayed'
  | 'assertion.unsupported-condition'
  | 'subject.missing'
  | 'subject.unconfirmed'
  | 'authn-statement.missing'
  // IdP metadata (metadata.ts).
  | 'metadata.invalid'
  | 'metadata.missing-entity-id'
  | 'metadata.missing-idp-descriptor'
  | 'metadata.ambiguous'
  | 'metadata.missing-sso-service'
  | 'metadata.missing-signing-certificate'
  // Building requests (authn-request.ts).
  | 'request.invalid'
  | 'key.invalid';

const ASK_ADMIN = 'If this keeps happening, ask your administrator to check the single sign-on configuration.';
const FROM_IDP = 'The sign-in response from your identity provider';
const RESTART = 'Please start the sign-in again from the beginning.';
const CLOCKS = 'If it keeps happening, the clocks of the two systems may disagree.';

/** End-user wording per code. Deliberately generic: the user cannot fix the IdP, only retry or escalate. */
const MESSAGES: Record<SamlErrorCode, string> = {
  'document.too-large': `${FROM_IDP} is too large to be processed. ${ASK_ADMIN}`,
  'document.malformed': `${FROM_IDP} could not be read. ${ASK_ADMIN}`,
  'document.dtd': `${FROM_IDP} contains a document type declaration, which is not accepted. ${ASK_ADMIN}`,
  'document.processing-instruction': `${FROM_IDP} contains XML processing instructions, which are not accepted. ${ASK_ADMIN}`,
  'document.multiple-roots': `${FROM_IDP} contains more than one document. ${ASK_ADMIN}`,
  'document.multiple-responses': `${FROM_IDP} contains more than one response. ${ASK_ADMIN}`,
  'document.multiple-assertions': `${FROM_IDP} contains more than one assertion, which is not accepted. ${ASK_ADMIN}`,
  'document.no-assertion': `${FROM_IDP} does not say who you are. ${ASK_ADMIN}`,
  'document.duplicate-id': `${FROM_IDP} contains duplicate identifiers, which is not accepted. ${ASK_ADMIN}`,
  'document.unsupported-version': `${FROM_IDP} uses an unsupported SAML version. ${ASK_ADMIN}`,
  'signature.missing': `${FROM_IDP} is not signed. ${ASK_ADMIN}`,
  'signature.invalid': `The signature on the sign-in response from your identity provider could not be verified. ${ASK_ADMIN}`,
  'signature.misplaced': `${FROM_IDP} carries a signature in an unexpected place. ${ASK_ADMIN}`,
  'signature.unsupported': `${FROM_IDP} is signed in a way that is not supported. ${ASK_ADMIN}`,
  'certificate.none-valid': `None of the identity provider certificates configured for single sign-on is currently valid. ${ASK_ADMIN}`,
  'certificate.invalid': `A certificate configured for single sign-on could not be read. ${ASK_ADMIN}`,
  'decryption.not-configured': `${FROM_IDP} is encrypted, but no decryption key is configured. ${ASK_ADMIN}`,
  'decryption.failed': `The encrypted sign-in response from your identity provider could not be decrypted. ${ASK_ADMIN}`,
  'status.not-success':
    'Your identity provider did not sign you in. Contact your administrator if you believe you should have access.',
  'issuer.mismatch': `The sign-in response comes from an identity provider that is not the one configured. ${ASK_ADMIN}`,
  'destination.missing': `${FROM_IDP} does not say where it was meant to be sent. ${ASK_ADMIN}`,
  'destination.mismatch': `${FROM_IDP} was meant for a different address. ${ASK_ADMIN}`,
  'recipient.mismatch': `${FROM_IDP} was meant for a different address. ${ASK_ADMIN}`,
  'audience.mismatch': `${FROM_IDP} was meant for a different application. ${ASK_ADMIN}`,
  'in-response-to.mismatch': `The sign-in response does not answer the sign-in request that was started here. ${RESTART}`,
  'in-response-to.unexpected': `The sign-in response answers a sign-in request that is not known here. ${RESTART}`,
  'unsolicited.not-allowed':
    'Signing in from the identity provider portal is not enabled. Please start the sign-in from this application.',
  'assertion.expired': `The sign-in response has expired. ${RESTART} ${CLOCKS}`,
  'assertion.not-yet-valid': `The sign-in response is not valid yet. ${RESTART} ${CLOCKS}`,
  'assertion.replayed': `This sign-in response has already been used. ${RESTART}`,
  'assertion.unsupported-condition': `${FROM_IDP} contains a condition that is not supported. ${ASK_ADMIN}`,
  'subject.missing': `${FROM_IDP} does not say who you are. ${ASK_ADMIN}`,
  'subject.unconfirmed': `${FROM_IDP} could not be confirmed as meant for this sign-in. ${ASK_ADMIN}`,
  'authn-statement.missing': `${FROM_IDP} does not say that you signed in. ${ASK_ADMIN}`,
  'metadata.invalid': 'The identity provider metadata is not a valid SAML 2.0 metadata document.',
  'metadata.missing-entity-id':
    'The identity provider metadata does not contain an entity ID (the entityID attribute of EntityDescriptor).',
  'metadata.missing-idp-descriptor':
    'The metadata does not describe a SAML 2.0 identity provider (it has no IDPSSODescriptor).',
  'metadata.ambiguous': 'The metadata describes several identity providers; upload the metadata of exactly one.',
  'metadata.missing-sso-service':
    'The identity provider metadata has no SingleSignOnService with the HTTP-Redirect or HTTP-POST binding.',
  'metadata.missing-signing-certificate':
    'The identity provider metadata contains no signing certificate (KeyDescriptor with an X509Certificate).',
  'request.invalid': 'The single sign-on request could not be created.',
  'key.invalid': 'The signing key configured for single sign-on could not be read.',
};

export class SamlError extends Error {
  override name = 'SamlError';
  /** Technical reason, for logs and administrators; may quote the document, so never show it to the end user. */
  readonly detail: string | undefined;
  constructor(
    readonly code: SamlErrorCode,
    detail?: string,
    options?: { message?: string; cause?: unknown },
  ) {
    super(options?.message ?? MESSAGES[code], options?.cause === undefined ? undefined : { cause: options.cause });
    this.detail = detail;
  }
}

export const isSamlError = (e: unknown): e is SamlError => e instanceof SamlError;

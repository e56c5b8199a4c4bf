/** What a SAML validation is told (the IdP it trusts, our SP) and what it answers. */

export interface SamlIdpTrust {
  /** The IdP's entity ID: the Issuer of its responses and assertions. */
  entityId: string;
  /** Signing certificates, PEM or bare base64 DER. Expired ones are ignored. */
  certificates: string[];
}

export interface SamlSpConfig {
  /** Our entity ID: the Audience the assertion must name. */
  entityId: string;
  /** Our Assertion Consumer Service URL: the Destination and Recipient the response must name. */
  acsUrl: string;
  /** PKCS#8/PKCS#1 PEM private key for EncryptedAssertion. */
  decryptionKeyPem?: string;
}

export interface ValidateOptions {
  idp: SamlIdpTrust;
  sp: SamlSpConfig;
  now: Date;
  /** Allowed clock difference, in seconds, for every time check. Default 10. */
  skewSeconds?: number;
  /** SP-initiated: the id of the AuthnRequest we sent (and still remember); null/undefined for IdP-initiated */
  expectedInResponseTo?: string | null;
  allowIdpInitiated: boolean;
  /**
   * One-time use: returns false if this assertion id was already seen (and records it until notOnOrAfter).
   * Assertion IDs are meant to be globally unique; a store shared by several IdPs may prefix them with the issuer.
   */
  markAssertionUsed(id: string, notOnOrAfter: Date): Promise<boolean>;
}

export interface SamlLogin {
  issuer: string;
  nameId: string;
  nameIdFormat: string | null;
  sessionIndex: string | null;
  assertionId: string;
  inResponseTo: string | null;
  attributes: Record<string, string[]>;
  /** From NameID if it is an email, else attributes 'email'/'mail'/common claim URIs */
  email: string | null;
}

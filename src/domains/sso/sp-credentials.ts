/**
 * The org's own SAML SP key pairs and self-signed certificates: RSA-2048 keys from WebCrypto and
 * X.509 certificates built by @peculiar/x509 (node:crypto signs but cannot build a certificate).
 */
import { createPrivateKey, webcrypto, X509Certificate } from 'node:crypto';

/**
 * @peculiar/x509 is loaded on first use, not at start-up (with its dependencies it costs about
 * 10 MB and a noticeable part of a cold start; docs/benchmarks.md, issue 22).
 */
let x509Module: Promise<typeof import('@peculiar/x509')> | null = null;
const loadX509 = () => {
  x509Module ??= (async () => {
    await import('reflect-metadata'); // @peculiar/x509's dependency injection needs it loaded first
    const x509 = await import('@peculiar/x509');
    x509.cryptoProvider.set(webcrypto as unknown as Crypto);
    return x509;
  })();
  return x509Module;
};

const RSA_SHA256 = {
  name: 'RSASSA-PKCS1-v1_5',
  hash: 'SHA-256',
  publicExponent: new Uint8Array([1, 0, 1]),
  modulusLength: 2048,
} as const;

export interface KeyAndCertificate {
  privateKeyPem: string;
  certificatePem: string;
}

const pem = (label: string, der: ArrayBuffer) =>
  `-----BEGIN ${label}-----\n${Buffer.from(der).toString('base64').replace(/.{64}/g, '$&\n').replace(/\n$/, '')}\n-----END ${label}-----\n`;

/** A fresh RSA-2048 key and a self-signed certificate for it, valid from `now` for `years`. */
export async function selfSignedCertificate(commonName: string, now: Date, years = 10): Promise<KeyAndCertificate> {
  const x509 = await loadX509();
  const keys = (await webcrypto.subtle.generateKey(RSA_SHA256, true, ['sign', 'verify'])) as CryptoKeyPair;
  const notAfter = new Date(now);
  notAfter.setUTCFullYear(notAfter.getUTCFullYear() + years);
  const serial = Buffer.from(webcrypto.getRandomValues(new Uint8Array(16)));
  serial[0]! &= 0x7f; // a positive INTEGER
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial.toString('hex'),
    name: [{ CN: [commonName] }],
    notBefore: new Date(now.getTime() - 60_000),
    notAfter,
    signingAlgorithm: RSA_SHA256,
    keys,
    extensions: [new x509.BasicConstraintsExtension(false, undefined, true)],
  });
  return {
    privateKeyPem: pem('PRIVATE KEY', await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)),
    certificatePem: cert.toString('pem'),
  };
}

/** True when the PEM private key matches the certificate (a sanity check on stored credentials). */
export function keyMatches(privateKeyPem: string, certificatePem: string): boolean {
  return new X509Certificate(certificatePem).checkPrivateKey(createPrivateKey(privateKeyPem));
}

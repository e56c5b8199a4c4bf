/**
 * The secret guard of the audit write side (@see issue 4: "Secrets, password hashes and tokens
 * never appear in an event"; review finding 6). No database: every refusal happens before the
 * first statement, so the executor is never touched.
 */
import { describe, expect, it } from 'vitest';
import type { Executor } from '../storage/db.ts';
import {
  type AuditEvent,
  diffProperties,
  isSecretName,
  isSecretValue,
  recordAudit,
  registerAuditEntity,
} from './audit.ts';
import { systemClock } from './clock.ts';

registerAuditEntity('Test', 'Thing', ['Update']);

const untouchable = new Proxy(
  {},
  {
    get: () => {
      throw new Error('the database must not be reached');
    },
  },
) as Executor;
const event = (extra: Partial<AuditEvent>): AuditEvent => ({
  orgId: 'org',
  serviceName: 'Test',
  entityType: 'Thing',
  entityId: 'id',
  action: 'Update',
  actor: { type: 'system' },
  ...extra,
});

describe('secret names', () => {
  it.each([
    'clientSecret',
    'client_secret',
    'secret',
    'password',
    'newPassword',
    'password_hash',
    'passwordHash',
    'passwd',
    'credentials',
    'privateKey',
    'private_key',
    'PRIVATE-KEY',
    'spPrivateKey',
    'apiKey',
    'api_key',
    'APIKey',
    'x-api-key',
    'signingKey',
    'sealKey',
    'accessToken',
    'refresh_token',
    'token',
    'tokens',
    'idToken',
    'tokenValue',
    'tokenHash',
    'hash',
    'secretHash',
    'hashed',
    'jwt',
    'samlAssertion',
  ])('%s is a secret', (name) => {
    expect(isSecretName(name)).toBe(true);
  });

  it.each([
    'name',
    'description',
    'accessTokenValiditySeconds',
    'refreshTokenValiditySeconds',
    'tokenId',
    'hashAlgorithm',
    'tokenEndpoint',
    'signAuthnRequests',
    'certificates',
    'registeredRedirectUri',
    'roleDivisions',
    'breakGlassUserId',
    'authorizationId',
    'clientId',
    'key',
  ])('%s is not a secret', (name) => {
    expect(isSecretName(name)).toBe(false);
  });

  it('recognises password hashes and private keys by value', () => {
    for (const v of [
      '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA',
      '$2b$10$abcdefghijklmnopqrstuv',
      '$scrypt$ln=15$x',
      '-----BEGIN RSA PRIVATE KEY-----\nMII…',
      '-----BEGIN PRIVATE KEY-----',
    ]) {
      expect(isSecretValue(v), v).toBe(true);
    }
    for (const v of ['Report Bot', '$5 plan', '-----BEGIN CERTIFICATE-----\nMII…', 'https://app.example.com/$2b$'])
      expect(isSecretValue(v), v).toBe(false);
  });
});

describe('diffProperties', () => {
  it('leaves out secret-named properties and keeps the others', () => {
    expect(diffProperties({ password_hash: 'x', name: 'a' }, { password_hash: 'y', name: 'b' })).toEqual([
      { property: 'name', oldValues: ['a'], newValues: ['b'] },
    ]);
    expect(
      diffProperties(null, {
        clientSecret: 's',
        privateKey: 'k',
        apiKey: 'a',
        refreshToken: 't',
        accessTokenValiditySeconds: 60,
      }),
    ).toEqual([{ property: 'accessTokenValiditySeconds', oldValues: [], newValues: ['60'] }]);
  });
});

describe('recordAudit refuses secrets before writing anything', () => {
  it.each([
    [
      'a secret property',
      { changes: [{ property: 'clientSecret', oldValues: [], newValues: ['s'] }] },
      /secret properties/,
    ],
    [
      'a private key property',
      { changes: [{ property: 'privateKey', oldValues: [], newValues: ['k'] }] },
      /secret properties/,
    ],
    ['a secret context key', { context: { apiKey: 'k' } }, /secret properties/],
    ['a token in the context', { context: { accessToken: 'eyJ…' } }, /secret properties/],
    [
      'a password hash as a value',
      { changes: [{ property: 'note', oldValues: [], newValues: ['$argon2id$v=19$m=1,t=1,p=1$c2FsdA$aGFzaA'] }] },
      /secret values/,
    ],
    ['a private key as a context value', { context: { pem: '-----BEGIN PRIVATE KEY-----\nMII…' } }, /secret values/],
  ])('%s', async (_, extra, message) => {
    await expect(recordAudit(untouchable, systemClock, event(extra as Partial<AuditEvent>))).rejects.toThrow(message);
  });

  it('lets an ordinary event through to the database', async () => {
    await expect(
      recordAudit(
        untouchable,
        systemClock,
        event({ context: { source: 'SCIM' }, changes: [{ property: 'name', oldValues: ['a'], newValues: ['b'] }] }),
      ),
    ).rejects.toThrow('the database must not be reached');
  });
});

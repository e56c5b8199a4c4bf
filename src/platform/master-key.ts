/**
 * The master key: it seals every key in server_keys and never lives in the store itself, so a
 * copy of the database alone gives none of them away (docs/security.md, decision 0007).
 * It comes from GATEHOUSE_MASTER_KEY, from a key file (--master-key-file, what several processes
 * share), or is created at first start as `<data dir>/master.key`, mode 0600.
 */
import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  linkSync,
  mkdirSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname } from 'node:path';

/** A sealed value: `mk1.<master key id>.<iv>.<tag>.<ciphertext>`, base64url, AES-256-GCM. */
const SEALED = /^mk1\.[0-9a-f]{8}\.[\w-]+\.[\w-]+\.[\w-]*$/;
const MIN_LENGTH = 32;

export class MasterKeyError extends Error {
  override name = 'MasterKeyError';
}

export interface MasterKey {
  /** Short fingerprint written into every sealed value, so a wrong key is named as such. */
  readonly id: string;
  seal(plaintext: string, context: string): string;
  open(sealed: string, context: string): string;
}

export const isSealed = (value: string): boolean => SEALED.test(value);

export function masterKeyFrom(secret: string): MasterKey {
  if (secret.length < MIN_LENGTH) throw new MasterKeyError(`the master key must be at least ${MIN_LENGTH} characters`);
  const key = Buffer.from(hkdfSync('sha256', secret, 'gatehouse', 'server_keys', 32));
  const id = createHash('sha256').update(key).digest('hex').slice(0, 8);
  return {
    id,
    seal(plaintext, context) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      // The key's name is bound as associated data: a sealed value moved to another name fails to open.
      cipher.setAAD(Buffer.from(context));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return ['mk1', id, iv, cipher.getAuthTag(), body]
        .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
        .join('.');
    },
    open(sealed, context) {
      const [v, kid, iv, tag, body] = sealed.split('.');
      if (v !== 'mk1' || body === undefined) throw new MasterKeyError('a server key is not sealed');
      if (kid !== id) throw new MasterKeyError('the store is sealed with another master key');
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(context));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      try {
        return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
      } catch {
        throw new MasterKeyError('a server key does not open with the master key');
      }
    },
  };
}

export const newMasterSecret = (): string => randomBytes(32).toString('base64url');

/** Where the master key comes from; `reload` reads a key file again (after `rotate-keys --master`). */
export interface MasterKeySource {
  current(): MasterKey;
  reload(): MasterKey;
  /** The file the key lives in, or null when it came from the environment. */
  readonly file: string | null;
}

export function masterKeyFromEnv(secret: string): MasterKeySource {
  const key = masterKeyFrom(secret.trim());
  return { current: () => key, reload: () => key, file: null };
}

/**
 * The key in `file`; created (0600, folder 0700) when `create` and it does not exist yet. Two
 * processes starting at once settle on one key: it is written aside and linked into place,
 * which fails when the file already exists.
 */
export function masterKeyFromFile(file: string, create: boolean): MasterKeySource {
  const read = () => masterKeyFrom(readFileSync(file, 'utf8').trim());
  if (!existsSync(file)) {
    if (!create) throw new MasterKeyError(`the master key file ${file} does not exist`);
    writeKeyFile(file, newMasterSecret(), false);
  }
  let key = read();
  return {
    current: () => key,
    reload: () => {
      key = read();
      return key;
    },
    file,
  };
}

/** Writes a key file with mode 0600; `replace` swaps an existing one atomically. */
export function writeKeyFile(file: string, secret: string, replace: boolean): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const aside = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  writeFileSync(aside, `${secret}\n`, { mode: 0o600, flag: 'wx' });
  if (replace) {
    renameSync(aside, file);
    return;
  }
  try {
    linkSync(aside, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    unlinkSync(aside);
  }
  chmodSync(file, 0o600);
}

/** Makes a folder owner-only (0700), creating it when missing. */
export function makePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  try {
    chmodSync(dir, 0o700);
  } catch {
    // Not the owner: the operator chose the folder and its mode.
  }
}

/**
 * The master key as configured: GATEHOUSE_MASTER_KEY, else the key file. A named file must exist
 * (every process sharing a store must use the same key); the default one is created.
 */
export function resolveMasterKey(o: { value: string | null; file: string; fileExplicit: boolean }): MasterKeySource {
  if (o.value) return masterKeyFromEnv(o.value);
  return masterKeyFromFile(o.file, !o.fileExplicit);
}

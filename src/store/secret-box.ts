import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { SimdockError } from '../domain/errors.js';
import type { SecretKey } from './secret-key.js';

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * AES-256-GCM sealing of small secrets. A sealed value is text:
 * `v1:<key id>:<base64 of iv ‖ ciphertext ‖ tag>`, where the key id is a short HMAC of the key
 * (it tells "wrong key" from "tampered" without revealing anything about the key). The
 * associated data (an account id) is authenticated, so a blob copied to another row fails.
 */
export class SecretBox {
  readonly #source: () => Promise<SecretKey>;

  constructor(source: () => Promise<SecretKey>) {
    this.#source = source;
  }

  /** Encrypts `plaintext` bound to `associatedData`. */
  async seal(plaintext: string, associatedData: string): Promise<string> {
    const { key } = await this.#source();
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(Buffer.from(associatedData, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const sealed = Buffer.concat([iv, ciphertext, cipher.getAuthTag()]);
    return `${VERSION}:${keyId(key)}:${sealed.toString('base64')}`;
  }

  /**
   * Decrypts a sealed value. A value sealed under another key, altered, or bound to other
   * associated data fails with `config_error`; `subject` names the owner in the message.
   */
  async open(sealed: string, associatedData: string, subject: string): Promise<string> {
    const { key, origin } = await this.#source();
    const [version, sealedKeyId, payload] = sealed.split(':');
    if (version !== VERSION || !sealedKeyId || payload === undefined) {
      throw new SimdockError('config_error', `${subject}: the stored secrets are not readable`);
    }
    const bytes = Buffer.from(payload, 'base64');
    if (sealedKeyId !== keyId(key)) {
      throw new SimdockError(
        'config_error',
        `${subject}: the secrets were encrypted with another secret key (id ${sealedKeyId}) than ` +
          `the one from ${origin} (id ${keyId(key)}); provide the original key`,
        { details: { storedKeyId: sealedKeyId, currentKeyId: keyId(key), keyOrigin: origin } },
      );
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES));
      decipher.setAAD(Buffer.from(associatedData, 'utf8'));
      decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
      const ciphertext = bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES);
      return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
    } catch (error) {
      throw new SimdockError(
        'config_error',
        `${subject}: the stored secrets fail authentication (altered, or copied from another ` +
          'account)',
        { cause: error },
      );
    }
  }
}

/** A short, one-way fingerprint of a key. */
export function keyId(key: Buffer): string {
  return createHmac('sha256', key).update('simdock secret key id').digest('hex').slice(0, 12);
}

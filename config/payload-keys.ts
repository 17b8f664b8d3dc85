/**
 * PAYLOAD_KEYS: the keys payloads are sealed with (runtime/payload-codec.ts), as configuration.
 * `<id>:<base64 of 32 bytes>[,<id>:<key>...]`, the first one sealing, every one opening.
 */
import crypto from 'node:crypto';

const KEY_BYTES = 32;
const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;

export interface PayloadKey { id: string; key: Buffer }

/**
 * `<id>:<base64 key>[,<id>:<base64 key>...]`, the first one sealing. Errors name the position and the
 * id, never the key.
 */
export function parsePayloadKeys(value: string): PayloadKey[] {
  const keys = value.split(',').map((item, index) => {
    const at = item.indexOf(':');
    const id = item.slice(0, at).trim();
    if (at < 0 || !KEY_ID.test(id)) throw new Error(`PAYLOAD_KEYS entry ${index + 1}: expected <id>:<base64 key>, the id of letters, digits, '.', '_' or '-'`);
    const key = Buffer.from(item.slice(at + 1).trim(), 'base64');
    if (key.length !== KEY_BYTES) throw new Error(`PAYLOAD_KEYS key "${id}": must be ${KEY_BYTES} bytes in base64 (e.g. \`openssl rand -base64 32\`), got ${key.length}`);
    return { id, key };
  });
  const ids = keys.map((k) => k.id);
  const twice = ids.find((id, i) => ids.indexOf(id) !== i);
  if (twice) throw new Error(`PAYLOAD_KEYS names the key "${twice}" twice`);
  return keys;
}

/** A new random key in PAYLOAD_KEYS form (`<id>:<base64>`). */
export function newPayloadKey(id: string): string {
  return `${id}:${crypto.randomBytes(KEY_BYTES).toString('base64')}`;
}


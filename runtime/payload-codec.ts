/**
 * Payloads encrypted before they leave the process: every workflow input, Update argument and
 * result, query answer, activity argument and memo the API or a worker hands to Temporal is sealed
 * with AES-256-GCM, so the Temporal service (its database, its backups, whoever reads its UI
 * without the codec endpoint) holds no free text in clear: a staff member's note, a purchase's
 * description. Search attributes stay readable (ids and statuses only, by design).
 *
 * The key comes by id (`PAYLOAD_KEYS=<id>:<base64 of 32 bytes>[,<id>:<key>...]`): the first key
 * seals, every listed key opens, so a key is rotated by putting the new one first and dropping the
 * old one once no open run still holds payloads sealed with it. A payload written before encryption
 * (no `binary/encrypted` encoding) is read as it is: histories of lines opened earlier still replay.
 * A payload sealed with a key that is not listed, or altered, fails loudly: nothing is guessed.
 *
 * Runs outside the workflow sandbox (client and worker data converters), so the randomness of each
 * payload's nonce never touches a workflow's determinism.
 */
import crypto from 'node:crypto';
import type { DataConverter, Payload, PayloadCodec } from '@temporalio/common';
import { ValueError } from '@temporalio/common';
import proto from '@temporalio/proto';
import type { PayloadKey } from '../config/payload-keys';

const ProtoPayload = proto.temporal.api.common.v1.Payload;

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const string = (bytes: Uint8Array | null | undefined): string => (bytes ? Buffer.from(bytes).toString('utf8') : '');

/** Whether a payload was sealed by this codec (and must be opened before it is read). */
export const isSealed = (payload: Payload): boolean => string(payload.metadata?.encoding) === ENCRYPTED_ENCODING;

export class EncryptionCodec implements PayloadCodec {
  private readonly sealing: PayloadKey;
  private readonly opening: ReadonlyMap<string, Buffer>;

  constructor(keys: readonly PayloadKey[]) {
    if (keys.length === 0) throw new Error('EncryptionCodec needs at least one key');
    this.sealing = keys[0]!;
    this.opening = new Map(keys.map((k) => [k.id, k.key]));
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      const nonce = crypto.randomBytes(NONCE_BYTES);
      const cipher = crypto.createCipheriv('aes-256-gcm', this.sealing.key, nonce);
      const sealed = Buffer.concat([nonce, cipher.update(ProtoPayload.encode(payload).finish()), cipher.final(), cipher.getAuthTag()]);
      return { metadata: { encoding: text(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: text(this.sealing.id) }, data: sealed };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      if (!isSealed(payload)) return payload;
      const keyId = string(payload.metadata?.[KEY_ID_METADATA]);
      const key = this.opening.get(keyId);
      if (!key) throw new ValueError(`a payload is sealed with the key "${keyId}", which PAYLOAD_KEYS does not list`);
      const data = Buffer.from(payload.data ?? new Uint8Array());
      if (data.length < NONCE_BYTES + TAG_BYTES) throw new ValueError(`a payload sealed with "${keyId}" is truncated`);
      const decipher = crypto.createDecipheriv('aes-256-gcm', key, data.subarray(0, NONCE_BYTES));
      decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
      let opened: Buffer;
      try {
        opened = Buffer.concat([decipher.update(data.subarray(NONCE_BYTES, data.length - TAG_BYTES)), decipher.final()]);
      } catch {
        throw new ValueError(`a payload sealed with "${keyId}" does not open with it (altered, or another key under the same id)`);
      }
      return ProtoPayload.decode(opened);
    });
  }
}

/** The data converter of every client and worker of one deployment: same keys everywhere. */
export function encryptingDataConverter(keys: readonly PayloadKey[]): DataConverter {
  return { payloadCodecs: [new EncryptionCodec(keys)] };
}

/**
 * Payloads sealed with AES-256-GCM by key id (runtime/payload-codec.ts), and PAYLOAD_KEYS as
 * configuration (config/payload-keys.ts).
 */
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { newPayloadKey, parsePayloadKeys } from '../../config/payload-keys';
import { historyText, openHistory } from '../../runtime/history-scan';
import { EncryptionCodec, ENCRYPTED_ENCODING, KEY_ID_METADATA } from '../../runtime/payload-codec';

const utf8 = (b: Uint8Array | null | undefined) => Buffer.from(b ?? new Uint8Array()).toString('utf8');
const note = { note: 'hospital stay, documents seen', amount: 12_345 };
const plain = (value: unknown): Payload => defaultPayloadConverter.toPayload(value);

describe('EncryptionCodec', () => {
  const [k1] = parsePayloadKeys(newPayloadKey('k1'));
  const [k2] = parsePayloadKeys(newPayloadKey('k2'));
  const codec = new EncryptionCodec([k1!]);

  it('seals a payload so nothing of it is readable, names the key, and opens it to the same payload', async () => {
    const [sealed] = await codec.encode([plain(note)]);
    expect(utf8(sealed!.metadata?.encoding)).toBe(ENCRYPTED_ENCODING);
    expect(utf8(sealed!.metadata?.[KEY_ID_METADATA])).toBe('k1');
    expect(utf8(sealed!.data)).not.toContain('hospital');
    expect(Buffer.from(sealed!.data!).toString('latin1')).not.toContain('json/plain');
    const [opened] = await codec.decode([sealed!]);
    expect(defaultPayloadConverter.fromPayload(opened!)).toEqual(note);
    expect(utf8(opened!.metadata?.encoding)).toBe('json/plain');
  });

  it('seals the same payload differently each time (a fresh nonce)', async () => {
    const [a, b] = await codec.encode([plain(note), plain(note)]);
    expect(Buffer.from(a!.data!).equals(Buffer.from(b!.data!))).toBe(false);
  });

  it('reads a payload written before encryption as it is, and keeps the order of a batch', async () => {
    const old = plain('written in clear');
    const [sealed] = await codec.encode([plain(1)]);
    const opened = await codec.decode([old, sealed!, plain(null)]);
    expect(opened.map((p) => defaultPayloadConverter.fromPayload(p))).toEqual(['written in clear', 1, null]);
  });

  it('rotates: the first key seals, every listed key opens', async () => {
    const [byOld] = await codec.encode([plain('sealed before the rotation')]);
    const rotated = new EncryptionCodec([k2!, k1!]);
    const [byNew] = await rotated.encode([plain('after')]);
    expect(utf8(byNew!.metadata?.[KEY_ID_METADATA])).toBe('k2');
    expect((await rotated.decode([byOld!, byNew!])).map((p) => defaultPayloadConverter.fromPayload(p))).toEqual(['sealed before the rotation', 'after']);
    // The old key alone cannot open what the new one sealed: loud, never a guess.
    await expect(codec.decode([byNew!])).rejects.toThrow(/sealed with the key "k2", which PAYLOAD_KEYS does not list/);
  });

  it('refuses an altered payload, a truncated one, and another key under the same id', async () => {
    const [sealed] = await codec.encode([plain(note)]);
    const altered = Buffer.from(sealed!.data!);
    altered[20] = altered[20]! ^ 1;
    await expect(codec.decode([{ ...sealed!, data: altered }])).rejects.toThrow(/does not open/);
    await expect(codec.decode([{ ...sealed!, data: altered.subarray(0, 10) }])).rejects.toThrow(/truncated/);
    const impostor = new EncryptionCodec([{ id: 'k1', key: k2!.key }]);
    await expect(impostor.decode([sealed!])).rejects.toThrow(/does not open/);
  });
});

describe('PAYLOAD_KEYS', () => {
  it('reads ids and 32-byte keys, the first sealing', () => {
    const keys = parsePayloadKeys(`${newPayloadKey('2026-11')}, ${newPayloadKey('2026-05')}`);
    expect(keys.map((k) => [k.id, k.key.length])).toEqual([['2026-11', 32], ['2026-05', 32]]);
  });

  it.each([
    ['no id', Buffer.alloc(32).toString('base64'), /entry 1: expected <id>:<base64 key>/],
    ['an id with a space', `my key:${Buffer.alloc(32).toString('base64')}`, /entry 1/],
    ['a short key', `k1:${Buffer.alloc(31, 1).toString('base64')}`, /"k1": must be 32 bytes/],
    ['a key in hex', `k1:${'ab'.repeat(32)}`, /"k1": must be 32 bytes/],
    ['one id twice', `${newPayloadKey('k1')},${newPayloadKey('k1')}`, /names the key "k1" twice/],
  ])('refuses %s, never echoing the key', (_what, value, message) => {
    let error: Error | undefined;
    try { parsePayloadKeys(value); } catch (err) { error = err as Error; }
    expect(error?.message).toMatch(message);
    const secret = value.split(':').at(-1)!;
    expect(error?.message).not.toContain(secret);
  });
});

describe('a history with sealed payloads', () => {
  const codec = new EncryptionCodec(parsePayloadKeys(newPayloadKey('k1')));

  it('cannot be searched until opened: historyText throws rather than scan ciphertext', async () => {
    const [sealed] = await codec.encode([plain({ phone: '13712340000' })]);
    const history = { events: [{ workflowExecutionStartedEventAttributes: { input: { payloads: [sealed!] } } }] };
    expect(() => historyText(history)).toThrow(/sealed payload/);
    expect(historyText(await openHistory(history, [codec]))).toContain('13712340000');
  });
});

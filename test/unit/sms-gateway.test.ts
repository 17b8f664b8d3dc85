import { afterEach, describe, expect, it } from 'vitest';
import { webhookSmsProvider, type SmsRequest } from '../../activities/sms';
import { flakySmsGateway, type FlakySmsGateway, type GatewayOptions } from '../../chaos/sms-gateway';
import { renderMessage } from '../../domain/notifications';

const running: FlakySmsGateway[] = [];
afterEach(async () => { await Promise.all(running.splice(0).map((g) => g.stop())); });

async function gateway(opts: Partial<GatewayOptions> = {}): Promise<FlakySmsGateway> {
  const g = flakySmsGateway({ seed: 1, senderTimeoutMs: 200, failRate: 0, timeoutRate: 0, lostAnswerRate: 0, ...opts });
  await g.start();
  running.push(g);
  return g;
}

const sms = (messageId: string, over: Partial<SmsRequest> = {}): SmsRequest => ({
  messageId, creditLineId: 'line-1', to: '+8613800000000', template: 'STATEMENT_ISSUED', text: '[Revolve] hello', params: {},
  scheduledFor: '2027-03-01T10:00:00+08:00', ...over,
});
const codeSms = (messageId: string, code: string, creditLineId = 'line-1'): SmsRequest =>
  sms(messageId, { creditLineId, template: 'VERIFICATION_CODE', params: { code, validMinutes: 5 }, text: renderMessage('VERIFICATION_CODE', { code, validMinutes: 5 }) });

/** What the sender sees of one POST: the status, 'aborted' (its timeout) or 'no answer' (socket closed). */
async function post(url: string, body: unknown, timeoutMs = 2000): Promise<number | 'aborted' | 'no answer'> {
  try {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body), signal: AbortSignal.timeout(timeoutMs) });
    await res.arrayBuffer();
    return res.status;
  } catch (err) {
    return (err as Error).name === 'TimeoutError' ? 'aborted' : 'no answer';
  }
}

describe('flaky SMS gateway', () => {
  it('fail: 503 and nothing recorded', async () => {
    const g = await gateway({ failRate: 1 });
    expect(await post(g.url(), sms('m1'))).toBe(503);
    expect(g.receipts().size).toBe(0);
    expect(g.stats()).toMatchObject({ requests: 1, failed: 1, accepted: 0 });
  });

  it('lost answer: the sender gets no answer, yet the message is recorded', async () => {
    const g = await gateway({ lostAnswerRate: 1 });
    expect(await post(g.url(), sms('m1'))).toBe('no answer');
    expect(g.receipts().get('m1')).toMatchObject({ messageId: 'm1', creditLineId: 'line-1', arrivals: 1 });
    expect(g.stats()).toMatchObject({ requests: 1, lostAnswers: 1 });
  });

  it('timeout: the sender gives up first, yet the message is recorded', async () => {
    const g = await gateway({ timeoutRate: 1, senderTimeoutMs: 200 });
    expect(await post(g.url(), sms('m1'), 200)).toBe('aborted');
    expect(g.receipts().get('m1')?.arrivals).toBe(1);
    expect(g.stats()).toMatchObject({ requests: 1, timedOut: 1 });
  });

  it('one receipt per messageId, arrivals counted', async () => {
    const g = await gateway();
    expect(await post(g.url(), sms('m1'))).toBe(204);
    expect(await post(g.url(), sms('m1'))).toBe(204);
    expect(g.receipts().size).toBe(1);
    expect(g.receipts().get('m1')?.arrivals).toBe(2);
    expect(g.stats()).toMatchObject({ requests: 2, accepted: 2, duplicateArrivals: 1 });
  });

  it('malformed bodies: 400', async () => {
    const g = await gateway();
    expect(await post(g.url(), '{not json')).toBe(400);
    expect(await post(g.url(), { to: '+8613800000000' })).toBe(400);
    expect(g.stats()).toMatchObject({ requests: 2, malformed: 2 });
    expect(g.receipts().size).toBe(0);
  });

  it('faulty off: 204 always', async () => {
    const g = await gateway({ failRate: 1 });
    g.setFaulty(false);
    for (let i = 0; i < 5; i++) expect(await post(g.url(), sms(`m${i}`))).toBe(204);
    expect(g.stats()).toMatchObject({ requests: 5, accepted: 5, failed: 0 });
  });

  it('rejects rates that cannot all hold', () => {
    expect(() => flakySmsGateway({ seed: 1, senderTimeoutMs: 100, lostAnswerRate: 1 })).toThrow(RangeError);
  });

  it('the same seed gives the same misbehaviours', async () => {
    const run = async (seed: number) => {
      const g = await gateway({ seed, senderTimeoutMs: 50, failRate: 0.25, timeoutRate: 0.25, lostAnswerRate: 0.25 });
      const seen = [];
      for (let i = 0; i < 24; i++) seen.push(await post(g.url(), sms(`m${i}`), 200));
      return seen;
    };
    const first = await run(42);
    expect(await run(42)).toEqual(first);
    expect(new Set(first)).toEqual(new Set([204, 503, 'aborted', 'no answer']));
    expect(await run(43)).not.toEqual(first);
  });

  it('reads one-time codes from code SMS texts, oldest first, and waits for the next one', async () => {
    const g = await gateway();
    const before = new Date();
    await post(g.url(), codeSms('c1', '123456'));
    await post(g.url(), sms('s1', { text: '[Revolve] 654321 is not a code SMS' }));
    await post(g.url(), codeSms('c2', '000042', 'line-2'));
    await post(g.url(), codeSms('c3', '987650', 'line-1'));
    expect(g.codesFor('line-1')).toEqual(['123456', '987650']);
    expect(g.codesFor('line-2')).toEqual(['000042']);
    expect(await g.waitForCode('line-1', before, 100)).toBe('987650');

    const since = new Date(Date.now() + 1);
    const next = g.waitForCode('line-1', since, 2000);
    await new Promise((r) => setTimeout(r, 20));
    await post(g.url(), sms('c4', { template: 'VERIFICATION_CODE', text: renderMessage('VERIFICATION_CODE', { code: '314159', validMinutes: 5 }, 'en') }));
    expect(await next).toBe('314159');
    await expect(g.waitForCode('line-3', new Date(), 50)).rejects.toThrow(/no code SMS/);
  });

  it('end to end with the webhook provider: a lost answer is a failed try, the retry is the same message', async () => {
    const g = await gateway({ lostAnswerRate: 1 });
    const provider = webhookSmsProvider({ url: g.url(), timeoutMs: 2000 });
    const message = codeSms('m-e2e', '246810');
    expect(await provider.send(message)).toMatchObject({ delivered: false });
    g.setFaulty(false);
    expect(await provider.send(message)).toMatchObject({ delivered: true });
    expect(g.receipts().size).toBe(1);
    expect(g.receipts().get('m-e2e')?.arrivals).toBe(2);
    expect(g.stats()).toMatchObject({ requests: 2, lostAnswers: 1, accepted: 1, duplicateArrivals: 1 });
    expect(g.codesFor('line-1')).toEqual(['246810']);
  });
});

/**
 * The HTTP bureau and platform-history adapters against a local server: a report is read and
 * labelled `http`; what may pass (5xx, 429, a timeout, no server) is retryable, so Temporal's retry
 * policy tries again; what cannot (another 4xx, a body that is not a report) is not.
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpBureau, httpPlatformHistory } from '../../activities/applicant-data';

const REPORT = { openCreditAccounts: 3, delinquencies24Months: 1, inquiries6Months: 2, outstandingDebt: 1_234_500, ignored: 'extra fields are dropped' };
const HISTORY = { accountAgeMonths: 40, ordersLast12Months: 17, onTimeRepayments: 9, lateRepayments: 1 };

/** Answers by the customer id in the path, so each test picks the behaviour it needs. */
const requests: string[] = [];
const calls = new Map<string, number>();
const server = http.createServer((req, res) => {
  requests.push(`${req.method} ${req.url}`);
  const [, kind, id = ''] = (req.url ?? '').split('/');
  const n = (calls.get(req.url ?? '') ?? 0) + 1;
  calls.set(req.url ?? '', n);
  const json = (status: number, body: unknown) => { res.writeHead(status, { 'content-type': 'application/json' }); res.end(JSON.stringify(body)); };
  const ok = () => json(200, kind === 'bureau' ? REPORT : HISTORY);
  switch (decodeURIComponent(id).split('-')[0]) {
    case 'ok': return ok();
    case 'flaky': return n === 1 ? json(500, { error: 'down' }) : ok();
    case 'busy': return json(429, {});
    case 'slow': return void setTimeout(ok, 5_000);
    case 'missing': return json(404, { error: 'no such customer' });
    case 'garbage': res.writeHead(200, { 'content-type': 'text/html' }); return void res.end('<html>gateway</html>');
    case 'wrong': return json(200, { ...REPORT, ...HISTORY, openCreditAccounts: -1, accountAgeMonths: 'forty', inquiries6Months: 2.5 });
    default: return json(400, {});
  }
});
let base = '';
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(async () => { await new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections(); }); });

const bureau = (timeoutMs = 1000) => httpBureau({ url: `${base}/bureau/`, timeoutMs });
const platform = (timeoutMs = 1000) => httpPlatformHistory({ url: `${base}/platform`, timeoutMs });

describe('the HTTP bureau', () => {
  it('reads the report at <url>/<customerId>, labelled http', async () => {
    const report = await bureau().fetch('ok-C 1/2');
    expect(report).toEqual({ source: 'http', openCreditAccounts: 3, delinquencies24Months: 1, inquiries6Months: 2, outstandingDebt: 1_234_500 });
    // The id is one path segment, whatever it holds.
    expect(requests).toContain('GET /bureau/ok-C%201%2F2');
  });

  it('fails retryably on a 500, and reads the report when tried again', async () => {
    await expect(bureau().fetch('flaky-1')).rejects.toMatchObject({ type: 'BUREAU_UNAVAILABLE', nonRetryable: false, message: 'bureau answered HTTP 500' });
    await expect(bureau().fetch('flaky-1')).resolves.toMatchObject({ source: 'http', openCreditAccounts: 3 });
  });

  it('fails retryably on 429, on a timeout and with no server', async () => {
    await expect(bureau().fetch('busy-1')).rejects.toMatchObject({ type: 'BUREAU_UNAVAILABLE', nonRetryable: false });
    const started = Date.now();
    await expect(bureau(200).fetch('slow-1')).rejects.toMatchObject({ type: 'BUREAU_UNAVAILABLE', nonRetryable: false, message: 'bureau: no answer within 200 ms' });
    // Well under the stall: cut at 200 ms, not waited out.
    expect(Date.now() - started).toBeLessThan(2_500);
    await expect(httpBureau({ url: 'http://127.0.0.1:1', timeoutMs: 1000 }).fetch('ok-1')).rejects.toMatchObject({ type: 'BUREAU_UNAVAILABLE', nonRetryable: false });
  });

  it('fails for good on a 404, on a body that is not JSON, and on a malformed report', async () => {
    await expect(bureau().fetch('missing-1')).rejects.toMatchObject({ type: 'BUREAU_REQUEST_REFUSED', nonRetryable: true });
    await expect(bureau().fetch('garbage-1')).rejects.toMatchObject({ type: 'BUREAU_REPORT_INVALID', nonRetryable: true });
    const malformed = await bureau().fetch('wrong-1').then(() => new Error('no failure'), (err: unknown) => err as Error);
    expect(malformed).toMatchObject({ type: 'BUREAU_REPORT_INVALID', nonRetryable: true });
    // The fields at fault are named; their values (about a person) are not.
    expect(malformed.message).toBe('bureau answered a malformed report (openCreditAccounts, inquiries6Months)');
  });
});

describe('the HTTP platform history', () => {
  it('reads the history, labelled http', async () => {
    expect(await platform().fetch('ok-7')).toEqual({ source: 'http', ...HISTORY });
    expect(requests).toContain('GET /platform/ok-7');
  });

  it('classifies failures as the bureau does, under its own name', async () => {
    await expect(platform().fetch('flaky-7')).rejects.toMatchObject({ type: 'PLATFORM_HISTORY_UNAVAILABLE', nonRetryable: false });
    await expect(platform().fetch('flaky-7')).resolves.toMatchObject({ source: 'http' });
    await expect(platform(200).fetch('slow-7')).rejects.toMatchObject({ type: 'PLATFORM_HISTORY_UNAVAILABLE', nonRetryable: false });
    await expect(platform().fetch('missing-7')).rejects.toMatchObject({ type: 'PLATFORM_HISTORY_REQUEST_REFUSED', nonRetryable: true });
    await expect(platform().fetch('garbage-7')).rejects.toMatchObject({ type: 'PLATFORM_HISTORY_REPORT_INVALID', nonRetryable: true });
    await expect(platform().fetch('wrong-7')).rejects.toMatchObject({ type: 'PLATFORM_HISTORY_REPORT_INVALID', message: 'platform history answered a malformed report (accountAgeMonths)' });
  });
});

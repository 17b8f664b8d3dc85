/*
 * Abnormal-login monitoring over HTTP (PRODUCT §8): the platform reports logins with its service
 * token; a first login only records; a successful login from a new device in a new city, or 5 failed
 * logins within 15 minutes, is a risk event that suspends the customer's line RISK_LOGIN through its
 * workflow; a retried report records once; staff see the alerts, lift the suspension with a note
 * (audited with who and why) and suspend by hand. No device, IP or city leaves PostgreSQL's login table.
 */
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginEvents, riskEvents } from '../../db/schema';
import { api, eventually, startStack, type TestStack } from '../support/stack';

let stack: TestStack;
let platform: ReturnType<typeof api>;
let staff: ReturnType<typeof api>;
beforeAll(async () => {
  stack = await startStack();
  platform = api(stack.baseUrl, await stack.token('admin', 'platform-login-feed'));
  staff = api(stack.baseUrl, await stack.token('support', 'S-risk'));
});
afterAll(async () => { await stack?.stop(); });

const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();
const key = () => ({ 'idempotency-key': randomUUID() });

async function openLine(prefix: string) {
  const customerId = `${prefix}-${randomUUID().slice(0, 8)}`;
  const call = api(stack.baseUrl, await stack.token('customer', customerId));
  const applied = await call('POST', '/v1/applications', { phone: '13912345678', monthlyIncome: 1_500_000, employmentMonths: 60, age: 35 });
  await eventually(() => call('GET', `/v1/credit-lines/${applied.body.creditLineId}`), (r) => r.body.status === 'ACTIVE' && r.body.nextStatementDate !== null);
  return { call, id: applied.body.creditLineId as string, customerId };
}

const login = (customerId: string, over: Record<string, unknown> = {}) => ({
  customerId, deviceId: 'dev-home-4f2a', ip: '203.0.113.7', city: 'Shanghai', success: true, occurredAt: minutesAgo(60 * 24 * 10), ...over,
});

describe('abnormal logins', () => {
  let rita: Awaited<ReturnType<typeof openLine>>;
  const intruder = { deviceId: 'dev-unknown-99c1', ip: '2001:db8::42', city: 'Urumqi' };
  let strangeLogin: ReturnType<typeof login>;
  let riskEventId: string;

  beforeAll(async () => {
    rita = await openLine('rita');
    strangeLogin = login(rita.customerId, { ...intruder, occurredAt: minutesAgo(2) });
  });

  it("a customer's first login has nothing to compare with: recorded, no risk event; a customer without a line likewise", async () => {
    const first = await platform('POST', '/v1/risk/login-events', login(rita.customerId));
    expect(first.status).toBe(202);
    expect(first.body).toEqual({ riskEvents: [] });

    const noLine = `nobody-${randomUUID().slice(0, 8)}`;
    await platform('POST', '/v1/risk/login-events', login(noLine));
    const fromElsewhere = await platform('POST', '/v1/risk/login-events', login(noLine, { ...intruder, occurredAt: minutesAgo(1) }));
    expect(fromElsewhere.status).toBe(202);
    expect(fromElsewhere.body).toEqual({ riskEvents: [] });
    expect(await stack.database.db.select().from(loginEvents).where(eq(loginEvents.customerId, noLine))).toHaveLength(2);
    expect((await rita.call('GET', `/v1/credit-lines/${rita.id}`)).body.status).toBe('ACTIVE');
  });

  it('a login from a new device in a new city suspends the line RISK_LOGIN, and the alert reaches staff', async () => {
    const since = minutesAgo(3);
    const hit = await platform('POST', '/v1/risk/login-events', strangeLogin);
    expect(hit.status).toBe(202);
    expect(hit.body.riskEvents).toEqual([{
      id: expect.stringContaining(`${rita.id}:risk:login-`), creditLineId: rita.id, customerId: rita.customerId,
      rule: 'login-new-device-new-city', shadow: false, action: 'SUSPEND',
      figures: { deviceSeen: false, citySeen: false, lookbackDays: 90, loginsCompared: 1 },
      occurredAt: new Date(strangeLogin.occurredAt).toISOString(),
    }]);
    riskEventId = hit.body.riskEvents[0].id;
    // The device, the IP and the city stay in the login table.
    for (const personal of [intruder.deviceId, intruder.ip, intruder.city]) expect(JSON.stringify(hit.body)).not.toContain(personal);

    const line = await rita.call('GET', `/v1/credit-lines/${rita.id}`);
    expect(line.body).toMatchObject({ status: 'SUSPENDED', suspensionReasons: ['RISK_LOGIN'] });
    const declined = await rita.call('POST', `/v1/credit-lines/${rita.id}/purchases`, { merchantId: 'self-operated', amount: 1_000 }, key());
    expect(declined.status).toBe(422);
    expect(declined.body.code).toBe('LINE_NOT_ACTIVE');

    const alerts = await staff('GET', `/v1/support/risk-events?since=${encodeURIComponent(since)}`);
    expect(alerts.status).toBe(200);
    expect(alerts.body.items).toEqual([hit.body.riskEvents[0]]);
    expect(alerts.body.nextCursor).toBeNull();
  });

  it('the same login reported twice records one risk event (and the line stays suspended once)', async () => {
    const again = await platform('POST', '/v1/risk/login-events', strangeLogin);
    expect(again.status).toBe(202);
    expect(again.body.riskEvents.map((e: { id: string }) => e.id)).toEqual([riskEventId]);
    expect(await stack.database.db.select().from(riskEvents).where(eq(riskEvents.creditLineId, rita.id))).toHaveLength(1);
    expect(await stack.database.db.select().from(loginEvents).where(eq(loginEvents.customerId, rita.customerId))).toHaveLength(2);
    expect((await rita.call('GET', `/v1/credit-lines/${rita.id}`)).body.suspensionReasons).toEqual(['RISK_LOGIN']);
  });

  it('staff lift RISK_LOGIN with a note after review: ACTIVE, purchases approved, the trail shows who and why', async () => {
    const path = `/v1/support/credit-lines/${rita.id}/suspension`;
    expect((await rita.call('DELETE', `${path}?reason=RISK_LOGIN`, { note: 'me' })).status).toBe(403);
    const noNote = await staff('DELETE', `${path}?reason=RISK_LOGIN`, {});
    expect(noNote.status).toBe(400);
    expect(noNote.body.errors.map((e: { field: string }) => e.field)).toContain('note');
    const badReason = await staff('DELETE', `${path}?reason=BORED`, { note: 'x' });
    expect(badReason.status).toBe(400);
    expect(badReason.body.errors.map((e: { field: string }) => e.field)).toContain('reason');

    const note = '电话核实本人在乌鲁木齐出差 (called the customer: travelling)';
    const lifted = await staff('DELETE', `${path}?reason=RISK_LOGIN`, { note });
    expect(lifted.status).toBe(200);
    expect(lifted.body).toMatchObject({ id: rita.id, status: 'ACTIVE', suspensionReasons: [] });
    const bought = await rita.call('POST', `/v1/credit-lines/${rita.id}/purchases`, { merchantId: 'self-operated', amount: 1_000 }, key());
    expect(bought.status).toBe(201);

    // Lifting what is not held, or what staff cannot lift, is a conflict with the line's state.
    const notHeld = await staff('DELETE', `${path}?reason=RISK_LOGIN`, { note });
    expect(notHeld.status).toBe(409);
    expect(notHeld.body.code).toBe('NOT_SUSPENDED_FOR_REASON');
    const overdue = await staff('DELETE', `${path}?reason=OVERDUE`, { note });
    expect(overdue.status).toBe(409);
    expect(overdue.body.code).toBe('REASON_NOT_LIFTABLE');

    const record = await staff('GET', `/v1/support/credit-lines/${rita.id}`);
    expect(record.status).toBe(200);
    expect(record.body.riskEvents.map((e: { id: string }) => e.id)).toEqual([riskEventId]);
    expect(record.body.audit).toEqual(expect.arrayContaining([
      expect.objectContaining({ action: 'SUSPENSION_LIFTED', actor: 'staff:S-risk', reason: note }),
      expect.objectContaining({ actor: 'rule:login-new-device-new-city', details: expect.objectContaining({ suspensionReason: 'RISK_LOGIN', riskEventId }) }),
    ]));
    for (const personal of [intruder.deviceId, intruder.ip, intruder.city]) expect(JSON.stringify(record.body)).not.toContain(personal);

    // The device and the city are known now: the same customer there again is no alert.
    const known = await platform('POST', '/v1/risk/login-events', login(rita.customerId, { ...intruder, occurredAt: minutesAgo(0.5) }));
    expect(known.body).toEqual({ riskEvents: [] });
  });

  it('staff suspend by hand (STAFF unless said otherwise) with a note, and lift it', async () => {
    const path = `/v1/support/credit-lines/${rita.id}/suspension`;
    expect((await rita.call('POST', path, { note: 'me' })).status).toBe(403);
    const noNote = await staff('POST', path, {});
    expect(noNote.status).toBe(400);
    expect(noNote.body.errors.map((e: { field: string }) => e.field)).toContain('note');
    const customerReason = await staff('POST', path, { reason: 'CUSTOMER', note: 'x' });
    expect(customerReason.status).toBe(400);
    expect((await staff('POST', '/v1/support/credit-lines/cl_nope/suspension', { note: 'x' })).status).toBe(404);

    const suspended = await staff('POST', path, { note: 'chargeback dispute under review' });
    expect(suspended.status).toBe(200);
    expect(suspended.body).toMatchObject({ status: 'SUSPENDED', suspensionReasons: ['STAFF'] });
    const lifted = await staff('DELETE', `${path}?reason=STAFF`, { note: 'dispute settled' });
    expect(lifted.body).toMatchObject({ status: 'ACTIVE', suspensionReasons: [] });
    const record = await staff('GET', `/v1/support/credit-lines/${rita.id}`);
    expect(record.body.audit).toEqual(expect.arrayContaining([
      expect.objectContaining({ action: 'SUSPENSION', actor: 'staff:S-risk', reason: 'chargeback dispute under review' }),
      expect.objectContaining({ action: 'SUSPENSION_LIFTED', actor: 'staff:S-risk', reason: 'dispute settled' }),
    ]));
  });

  it('5 failed logins within 15 minutes suspend the line RISK_LOGIN', async () => {
    const otto = await openLine('otto');
    const failed = (m: number) => login(otto.customerId, { deviceId: 'dev-bot', ip: '198.51.100.9', city: 'Harbin', success: false, occurredAt: minutesAgo(m) });
    for (const m of [14, 10, 6, 3]) {
      const r = await platform('POST', '/v1/risk/login-events', failed(m));
      expect(r.status).toBe(202);
      expect(r.body.riskEvents).toEqual([]);
    }
    expect((await otto.call('GET', `/v1/credit-lines/${otto.id}`)).body.status).toBe('ACTIVE');
    const fifth = await platform('POST', '/v1/risk/login-events', failed(1));
    expect(fifth.body.riskEvents).toMatchObject([{
      creditLineId: otto.id, rule: 'login-failed-attempts', shadow: false, action: 'SUSPEND',
      figures: { failedLogins: 5, windowMinutes: 15, threshold: 5 },
    }]);
    expect((await otto.call('GET', `/v1/credit-lines/${otto.id}`)).body).toMatchObject({ status: 'SUSPENDED', suspensionReasons: ['RISK_LOGIN'] });
  });

  it('staff page through the alerts of every line, oldest first; only staff read them', async () => {
    const first = await staff('GET', '/v1/support/risk-events?limit=1');
    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(1);
    expect(first.body.items[0].id).toBe(riskEventId);
    const second = await staff('GET', `/v1/support/risk-events?limit=1&cursor=${first.body.nextCursor}`);
    expect(second.body.items[0].rule).toBe('login-failed-attempts');
    expect(second.body.nextCursor).toBeNull();
    const later = await staff('GET', `/v1/support/risk-events?since=${encodeURIComponent(minutesAgo(-1))}`);
    expect(later.body.items).toEqual([]);

    expect((await staff('GET', '/v1/support/risk-events?cursor=abc')).status).toBe(400);
    expect((await staff('GET', '/v1/support/risk-events?since=yesterday')).status).toBe(400);
    expect((await staff('GET', '/v1/support/risk-events?limit=0')).status).toBe(400);
    expect((await rita.call('GET', '/v1/support/risk-events')).status).toBe(403);
  });

  it('only the platform reports logins: a customer or support token is 403, none is 401', async () => {
    expect((await rita.call('POST', '/v1/risk/login-events', login(rita.customerId))).status).toBe(403);
    expect((await staff('POST', '/v1/risk/login-events', login(rita.customerId))).status).toBe(403);
    expect((await api(stack.baseUrl)('POST', '/v1/risk/login-events', login(rita.customerId))).status).toBe(401);
  });

  it('a bad report is 400 VALIDATION_FAILED naming the field, and stores nothing', async () => {
    const customerId = `bad-${randomUUID().slice(0, 8)}`;
    const refused = async (over: Record<string, unknown>, field: string) => {
      const body = { ...login(customerId), ...over };
      const r = await platform('POST', '/v1/risk/login-events', body);
      expect(r.status, JSON.stringify(over)).toBe(400);
      expect(r.headers.get('content-type')).toContain('application/problem+json');
      expect(r.body.code).toBe('VALIDATION_FAILED');
      expect(r.body.errors.map((e: { field: string }) => e.field), JSON.stringify(over)).toContain(field);
    };
    await refused({ ip: '999.1.1.1' }, 'ip');
    await refused({ ip: 'localhost' }, 'ip');
    await refused({ city: 'x'.repeat(101) }, 'city');
    await refused({ city: 'Shang\u0000hai' }, 'city');
    await refused({ city: '' }, 'city');
    await refused({ deviceId: 'dev home' }, 'deviceId');
    await refused({ customerId: '' }, 'customerId');
    await refused({ success: 'yes' }, 'success');
    await refused({ occurredAt: '2027-03-10T12:00:00' }, 'occurredAt');
    await refused({ occurredAt: '2027-02-30T12:00:00+08:00' }, 'occurredAt');
    await refused({ occurredAt: new Date(Date.now() + 3_600_000).toISOString() }, 'occurredAt');
    await refused({ password: 'hunter2' }, 'body');
    const missing = await platform('POST', '/v1/risk/login-events', { customerId });
    expect(missing.status).toBe(400);
    expect(missing.body.errors.map((e: { field: string }) => e.field)).toEqual(expect.arrayContaining(['deviceId', 'ip', 'city', 'success', 'occurredAt']));
    expect(await stack.database.db.select().from(loginEvents).where(eq(loginEvents.customerId, customerId))).toEqual([]);
  });
});

import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type AppOptions } from '../../api/app';
import { issueToken } from '../../api/auth';
import { applications } from '../../db/schema';
import { api, eventually, startStack, type TestStack } from '../support/stack';

let stack: TestStack;
const servers: http.Server[] = [];
beforeAll(async () => { stack = await startStack(); });
afterAll(async () => {
  for (const server of servers) await new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections(); });
  await stack?.stop();
});

/** Another API replica on the same database and Temporal (as behind a load balancer). */
async function replica(secret: string, opts: AppOptions = {}): Promise<string> {
  const app = createApp({ db: stack.database.db, temporal: stack.client, taskQueue: stack.taskQueue, logger: pino({ level: 'silent' }), jwtSecret: secret, now: () => new Date() }, opts);
  const server = http.createServer(app);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

const application = { phone: '13800138000', monthlyIncome: 1_500_000, employmentMonths: 60, age: 35 };

describe('one line per customer (API.md)', () => {
  it('accepts one of 60 concurrent applications; the rest answer 409 APPLICATION_EXISTS with its ids, or 429', async () => {
    const call = api(stack.baseUrl, await stack.token('customer', 'quinn'));
    const answers = await Promise.all(Array.from({ length: 60 }, () => call('POST', '/v1/applications', application)));
    const accepted = answers.filter((a) => a.status === 202);
    expect(accepted).toHaveLength(1);
    const { applicationId, creditLineId } = accepted[0]!.body;
    for (const refused of answers.filter((a) => a.status !== 202)) {
      expect([409, 429]).toContain(refused.status);
      expect(refused.headers.get('content-type')).toContain('application/problem+json');
      if (refused.status === 409) expect(refused.body).toMatchObject({ code: 'APPLICATION_EXISTS', applicationId, creditLineId });
      else expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    expect(answers.filter((a) => a.status === 409).length).toBeGreaterThan(0);
    expect(await stack.database.db.select().from(applications).where(eq(applications.customerId, 'quinn'))).toHaveLength(1);
    // Once open, still one: a new application names the open line.
    await eventually(() => call('GET', `/v1/credit-lines/${creditLineId}`), (r) => r.body.status === 'ACTIVE');
    // (Through a replica with a looser hourly limit: the 60 above used up this one's.)
    const secret = randomUUID() + randomUUID();
    const loose = api(await replica(secret, { rateLimits: { applicationsPerHour: 1000 } }), await issueToken(secret, 'quinn', 'customer'));
    const again = await loose('POST', '/v1/applications', application);
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'APPLICATION_EXISTS', applicationId, creditLineId });
  });

  it('lets a declined customer apply again', async () => {
    const call = api(stack.baseUrl, await stack.token('customer', 'ruth'));
    const declined = await call('POST', '/v1/applications', { ...application, monthlyIncome: 100_000, employmentMonths: 1, age: 19 });
    await eventually(() => call('GET', `/v1/applications/${declined.body.applicationId}`), (r) => r.body.status === 'DECLINED');
    const second = await call('POST', '/v1/applications', application);
    expect(second.status).toBe(202);
    expect(second.body.creditLineId).not.toBe(declined.body.creditLineId);
  });
});

describe('rate limits shared by API replicas', () => {
  it('counts a subject\'s requests across replicas in PostgreSQL and answers 429 with Retry-After', async () => {
    const secret = randomUUID() + randomUUID();
    const [a, b] = await Promise.all([replica(secret, { rateLimits: { perSubjectPerMinute: 5 } }), replica(secret, { rateLimits: { perSubjectPerMinute: 5 } })]);
    const token = await issueToken(secret, `limited-${randomUUID()}`, 'customer');
    const statuses: number[] = [];
    for (const base of [a, b, a, b, a]) statuses.push((await api(base, token)('GET', '/v1/credit-lines')).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200]);
    const sixth = await api(b, token)('GET', '/v1/credit-lines');
    expect(sixth.status).toBe(429);
    expect(sixth.body.code).toBe('RATE_LIMITED');
    expect(Number(sixth.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another subject is not affected.
    expect((await api(a, await issueToken(secret, `other-${randomUUID()}`, 'customer'))('GET', '/v1/credit-lines')).status).toBe(200);
  });

  it('limits applications per customer per hour', async () => {
    const secret = randomUUID() + randomUUID();
    const base = await replica(secret, { rateLimits: { applicationsPerHour: 2 } });
    const call = api(base, await issueToken(secret, `applicant-${randomUUID()}`, 'customer'));
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await call('POST', '/v1/applications', { ...application, monthlyIncome: 'not a number' })).status);
    expect(statuses).toEqual([400, 400, 429]);
  });
});

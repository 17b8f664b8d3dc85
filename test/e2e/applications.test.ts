import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { historyText, readableHistory } from '../../runtime/history-scan';
import { searchAttributes, workflowIdFor } from '../../workflows/messages';
import { api, eventually, startStack, type TestStack } from '../support/stack';

let stack: TestStack;
beforeAll(async () => { stack = await startStack(); });
afterAll(async () => { await stack?.stop(); });

const applicant = { phone: '13800138000', monthlyIncome: 1_500_000, employmentMonths: 48, age: 35, statementDay: 12 };

describe('applying over HTTP', () => {
  it('approves a line, shows it through the API and in Temporal by its search attributes', async () => {
    const alice = api(stack.baseUrl, await stack.token('customer', 'alice'));
    const applied = await alice('POST', '/v1/applications', applicant);
    expect(applied.status).toBe(202);
    expect(applied.body).toMatchObject({ status: 'UNDERWRITING' });
    const { applicationId, creditLineId } = applied.body;

    const decided = await eventually(() => alice('GET', `/v1/applications/${applicationId}`), (r) => r.body.status !== 'UNDERWRITING');
    expect(decided.body).toMatchObject({ applicationId, creditLineId, status: 'APPROVED' });
    expect(decided.body.limit).toBeGreaterThanOrEqual(50_000);

    const line = await alice('GET', `/v1/credit-lines/${creditLineId}`);
    expect(line.status).toBe(200);
    expect(line.body).toMatchObject({
      id: creditLineId, customerId: 'alice', productId: 'standard', status: 'ACTIVE', suspensionReasons: [],
      limit: decided.body.limit, available: decided.body.limit, balance: 0, statementDay: 12, daysPastDue: 0, closedAt: null,
    });
    expect(new Date(line.body.openedAt).toString()).not.toBe('Invalid Date');
    const mine = await alice('GET', '/v1/credit-lines');
    expect(mine.body.items.map((l: { id: string }) => l.id)).toEqual([creditLineId]);

    // Visibility follows the workflow's own upsert, a moment after the read model.
    const description = await eventually(() => stack.client.workflow.getHandle(workflowIdFor(creditLineId)).describe(), (d) => d.typedSearchAttributes.get(searchAttributes.status) === 'ACTIVE');
    expect(description.typedSearchAttributes.get(searchAttributes.customerId)).toBe('alice');
    // Personal data never enters the workflow: its input names the customer by id only.
    const history = historyText(await readableHistory(stack.client, workflowIdFor(creditLineId)));
    expect(history).toContain(creditLineId);
    expect(history).not.toContain('13800138000');

    const staff = api(stack.baseUrl, await stack.token('support', 'S1'));
    const found = await staff('GET', `/v1/support/credit-lines?customerId=alice&status=ACTIVE`);
    expect(found.status).toBe(200);
    expect(found.body.items.map((l: { id: string }) => l.id)).toEqual([creditLineId]);
    const detail = await staff('GET', `/v1/support/credit-lines/${creditLineId}`);
    expect(detail.body.underwriting).toMatchObject({ decision: 'APPROVE', modelVersion: expect.stringMatching(/^scorecard-/) });
  });

  it('declines a low income with its reason codes', async () => {
    const bob = api(stack.baseUrl, await stack.token('customer', 'bob'));
    const applied = await bob('POST', '/v1/applications', { ...applicant, monthlyIncome: 80_000, employmentMonths: 1 });
    const decided = await eventually(() => bob('GET', `/v1/applications/${applied.body.applicationId}`), (r) => r.body.status !== 'UNDERWRITING');
    expect(decided.body.status).toBe('DECLINED');
    expect(decided.body.limit).toBeUndefined();
    expect(decided.body.reasonCodes).toContain('LOW_INCOME');
    const line = await bob('GET', `/v1/credit-lines/${applied.body.creditLineId}`);
    expect(line.body.status).toBe('DECLINED');
  });

  it('keeps customers to their own lines and staff endpoints to staff', async () => {
    const carol = api(stack.baseUrl, await stack.token('customer', 'carol'));
    const dave = api(stack.baseUrl, await stack.token('customer', 'dave'));
    const applied = await carol('POST', '/v1/applications', applicant);
    expect((await dave('GET', `/v1/credit-lines/${applied.body.creditLineId}`)).status).toBe(404);
    expect((await dave('GET', `/v1/applications/${applied.body.applicationId}`)).status).toBe(404);
    const forbidden = await carol('GET', '/v1/support/credit-lines');
    expect(forbidden.status).toBe(403);
    expect(forbidden.headers.get('content-type')).toContain('application/problem+json');
    expect(forbidden.body.code).toBe('FORBIDDEN');
    const staffApplies = await api(stack.baseUrl, await stack.token('support', 'S1'))('POST', '/v1/applications', applicant);
    expect(staffApplies.status).toBe(403);
  });

  it('answers 401 without a valid token', async () => {
    const anonymous = await api(stack.baseUrl)('GET', '/v1/credit-lines');
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.code).toBe('UNAUTHORIZED');
    const forged = await api(stack.baseUrl, 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4Iiwicm9sZSI6ImFkbWluIn0.bad')('GET', '/v1/credit-lines');
    expect(forged.status).toBe(401);
  });

  it('rejects a malformed body with 400 problem+json naming the field, and creates nothing', async () => {
    const erin = api(stack.baseUrl, await stack.token('customer', 'erin'));
    const bad = await erin('POST', '/v1/applications', { ...applicant, monthlyIncome: 12.5, statementDay: 31 });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
    expect(bad.body).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['monthlyIncome', 'statementDay']);
    const notJson = await erin('POST', '/v1/applications', '{"phone": ');
    expect(notJson.status).toBe(400);
    expect(notJson.body.code).toBe('MALFORMED_JSON');
    expect(JSON.stringify(notJson.body)).not.toMatch(/at .*\.(js|ts):\d+/);
    expect((await erin('GET', '/v1/credit-lines')).body.items).toEqual([]);
  });

  it('echoes X-Request-Id, or makes one', async () => {
    const res = await api(stack.baseUrl)('GET', '/healthz', undefined, { 'x-request-id': 'req-123' });
    expect(res.headers.get('x-request-id')).toBe('req-123');
    const made = await api(stack.baseUrl)('GET', '/v1/nowhere');
    expect(made.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('serves readiness naming each dependency, metrics, the OpenAPI document and the docs', async () => {
    const ready = await api(stack.baseUrl)('GET', '/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body.dependencies).toMatchObject({ postgres: { status: 'up' }, temporal: { status: 'up' } });
    const metrics = await fetch(`${stack.baseUrl}/metrics`).then((r) => r.text());
    expect(metrics).toContain('revolve_http_request_duration_seconds_bucket');
    const doc = await api(stack.baseUrl)('GET', '/openapi.json');
    expect(doc.body.openapi).toBe('3.1.0');
    expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining(['/v1/applications', '/v1/applications/{applicationId}', '/v1/credit-lines/{id}']));
    expect(doc.body.paths['/v1/applications'].post.requestBody.content['application/json'].schema).toBeDefined();
    const docs = await fetch(`${stack.baseUrl}/docs/`).then((r) => r.text());
    expect(docs).toContain('swagger-ui');
  });
});

import { ServiceError, WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError } from '@temporalio/client';
import { ApplicationFailure, WorkflowNotFoundError } from '@temporalio/common';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { httpAnswer, lineProblem, type LineCall } from '../../api/gateway';
import { Problem } from '../../api/problem';

const logger = pino({ level: 'silent' });
const refused = { status: 422, code: 'REQUEST_REFUSED', title: 'Request refused' };
const call = (kind: LineCall['kind'], extra: Partial<LineCall> = {}): LineCall =>
  ({ kind, creditLineId: 'cl_1', operation: 'purchase', pending: 'AUTHORIZATION_PENDING', refused, ...extra });
const updateFailed = (type: string, message = 'why') => new WorkflowUpdateFailedError('update failed', ApplicationFailure.create({ type, message, nonRetryable: true }));
const answer = (err: unknown, c: LineCall) => {
  const p = lineProblem(err, c, logger);
  return p && { status: p.status, code: p.code, retryAfter: p.headers['Retry-After'] };
};

describe('the line gateway: one mapping of failures to problems', () => {
  it.each([
    ['UnprocessedUpdate', call('command'), { status: 503, code: 'AUTHORIZATION_PENDING', retryAfter: '1' }],
    ['UnprocessedUpdate', call('staff', { pending: 'COMMAND_PENDING' }), { status: 503, code: 'COMMAND_PENDING', retryAfter: '1' }],
    ['COMMAND_FAILED', call('command'), { status: 500, code: 'COMMAND_FAILED', retryAfter: undefined }],
    ['VALIDATION_FAILED', call('command'), { status: 400, code: 'VALIDATION_FAILED', retryAfter: undefined }],
    ['MERCHANT_NOT_ELIGIBLE', call('command'), { status: 422, code: 'MERCHANT_NOT_ELIGIBLE', retryAfter: undefined }],
    ['LINE_NOT_ACTIVE', call('command'), { status: 422, code: 'LINE_NOT_ACTIVE', retryAfter: undefined }],
    ['SOMETHING_NOT_FOUND', call('staff'), { status: 404, code: 'SOMETHING_NOT_FOUND', retryAfter: undefined }],
    ['Error', call('command'), { status: 422, code: 'REQUEST_REFUSED', retryAfter: undefined }],
    ['Error', call('staff', { refused: { status: 409, code: 'APPLICATION_NOT_IN_REVIEW', title: 'Not in manual review' } }), { status: 409, code: 'APPLICATION_NOT_IN_REVIEW', retryAfter: undefined }],
  ])('an Update failed with %s (%o)', (type, c, want) => {
    expect(answer(updateFailed(type), c)).toEqual(want);
  });

  it('keeps the refusal message as the detail', () => {
    expect(lineProblem(updateFailed('OVERPAYMENT', 'more than is owed'), call('command'), logger)?.detail).toBe('more than is owed');
  });

  it('maps a missing workflow to 422 LINE_NOT_ACTIVE for commands and queries alike', () => {
    const notFound = new WorkflowNotFoundError('gone', 'credit-line-cl_1', undefined);
    for (const kind of ['command', 'staff', 'query'] as const) expect(answer(notFound, call(kind))).toMatchObject({ status: 422, code: 'LINE_NOT_ACTIVE' });
  });

  it('answers 503 when Temporal did not take or finish the call', () => {
    expect(answer(new ServiceError('unavailable'), call('command'))).toEqual({ status: 503, code: 'AUTHORIZATION_PENDING', retryAfter: '1' });
    expect(answer(new WorkflowUpdateRPCTimeoutOrCancelledError('timeout'), call('staff', { pending: 'COMMAND_PENDING' }))).toEqual({ status: 503, code: 'COMMAND_PENDING', retryAfter: '1' });
    expect(answer(new ServiceError('unavailable'), call('query'))).toEqual({ status: 503, code: 'LINE_UNAVAILABLE', retryAfter: '2' });
    expect(answer(new Error('query failed in the workflow'), call('query'))).toEqual({ status: 503, code: 'LINE_UNAVAILABLE', retryAfter: '2' });
    expect(answer(new ServiceError('unavailable'), call('start'))).toEqual({ status: 503, code: 'TEMPORAL_UNAVAILABLE', retryAfter: '5' });
  });

  it('leaves errors that are not the line\'s to the error handler, and passes problems through', () => {
    expect(lineProblem(new TypeError('a bug'), call('command'), logger)).toBeUndefined();
    const problem = new Problem(503, 'AUTHORIZATION_PENDING', 'Service unavailable');
    expect(lineProblem(problem, call('command'), logger)).toBe(problem);
  });

  it('answers a command result: 201 with its body, *_NOT_FOUND 404, any other refusal 422', () => {
    expect(httpAnswer({ ok: true, body: { purchaseId: 'p_1' } })).toEqual({ status: 201, body: { purchaseId: 'p_1' } });
    const refusal = (type: string, code: string) => { try { httpAnswer({ ok: false, type, code, message: 'm' }); } catch (e) { return e as Problem; } throw new Error('no refusal'); };
    expect(refusal('refund', 'PURCHASE_NOT_FOUND')).toMatchObject({ status: 404, code: 'PURCHASE_NOT_FOUND' });
    expect(refusal('purchase', 'INSUFFICIENT_CREDIT')).toMatchObject({ status: 422, code: 'INSUFFICIENT_CREDIT', title: 'Purchase declined' });
    // A stored result answers as it always did: VALIDATION_FAILED as a result stays 422.
    expect(refusal('purchase', 'VALIDATION_FAILED')).toMatchObject({ status: 422 });
  });
});

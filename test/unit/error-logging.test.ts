import { Writable } from 'node:stream';
import { ApplicationFailure } from '@temporalio/common';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { cleanActivityError } from '../../activities/errors';
import { isPermanentDatabaseError, serializeError } from '../../db/errors';

/** An error as drizzle throws it for a failed insert: the SQL and its bound values in the message. */
function drizzleError(code: string) {
  const cause = Object.assign(new Error('duplicate key value violates unique constraint "applications_pkey"'), {
    code, constraint: 'applications_pkey', table: 'applications', detail: 'Key (phone)=(13800138000) already exists.',
  });
  class DrizzleQueryError extends Error {}
  return new DrizzleQueryError('Failed query: insert into "applications" ("phone", "monthly_income") values ($1, $2)\nparams: 13800138000,1500000', { cause });
}

describe('database errors reach logs and history without the data', () => {
  it('logs the kind (SQLSTATE, constraint, table) and never the bound values', () => {
    const lines: string[] = [];
    const log = pino({ serializers: { err: serializeError } }, new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done(); } }));
    log.error({ err: drizzleError('23505') }, 'insert failed');
    const written = lines.join('');
    expect(written).toContain('"sqlstate":"23505"');
    expect(written).toContain('"constraint":"applications_pkey"');
    expect(written).not.toContain('13800138000');
    expect(written).not.toContain('1500000');
    expect(written).not.toContain('insert into');
  });

  it('rethrows from an activity a clean failure, non-retryable only when retrying cannot help', () => {
    const permanent = cleanActivityError(drizzleError('23505')) as ApplicationFailure;
    expect(permanent).toBeInstanceOf(ApplicationFailure);
    expect(permanent).toMatchObject({ type: 'DATABASE_REFUSED', nonRetryable: true });
    expect(JSON.stringify({ message: permanent.message, details: permanent.details })).not.toContain('13800138000');
    const transient = cleanActivityError(drizzleError('57P01')) as ApplicationFailure;
    expect(transient).toMatchObject({ type: 'DATABASE_UNAVAILABLE', nonRetryable: false });
    const other = new Error('not the database');
    expect(cleanActivityError(other)).toBe(other);
  });

  it.each([['22P05', true], ['22021', true], ['23514', true], ['23505', true], ['40001', false], ['57P01', false], ['08006', false]])('treats SQLSTATE %s as permanent: %s', (code, permanent) => {
    expect(isPermanentDatabaseError(drizzleError(code))).toBe(permanent);
  });
});

import { ApplicationFailure } from '@temporalio/common';
import { databaseErrorFacts, describeDatabaseError, isDatabaseError, isPermanentDatabaseError } from '../db/errors';

/**
 * What an activity throws instead of a database error: the same retry behaviour (a permanent error is
 * non-retryable), a clean message, so no bound value reaches workflow history or the Temporal UI.
 */
export function cleanActivityError(err: unknown): unknown {
  if (!isDatabaseError(err)) return err;
  return ApplicationFailure.create({
    type: isPermanentDatabaseError(err) ? 'DATABASE_REFUSED' : 'DATABASE_UNAVAILABLE',
    message: describeDatabaseError(err),
    nonRetryable: isPermanentDatabaseError(err),
    details: [databaseErrorFacts(err)],
  });
}

/** Runs an activity's body and rethrows any database error clean (see `cleanActivityError`). */
export async function withCleanErrors<T>(body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (err) {
    throw cleanActivityError(err);
  }
}

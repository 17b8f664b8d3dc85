/**
 * Database errors without the data: drizzle's error message carries the query's bound values (a
 * phone, an income) and PostgreSQL's `detail` echoes key values. What may be logged or put in
 * workflow history is the error's kind: name, SQLSTATE, constraint, table and column.
 */
export interface DatabaseErrorFacts {
  name: string;
  sqlstate?: string;
  constraint?: string;
  table?: string;
  column?: string;
}

/** The PostgreSQL error inside `err` (drizzle wraps it as `cause`), if any. */
function pgErrorOf(err: unknown): { code?: string; constraint?: string; table?: string; column?: string } | undefined {
  for (let e = err as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth += 1) {
    if (typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code)) return e as { code: string };
  }
  return undefined;
}

/** Whether `err` came from the database (a query that failed there, or drizzle's wrapper of one). */
export function isDatabaseError(err: unknown): boolean {
  return pgErrorOf(err) !== undefined || (err instanceof Error && err.constructor.name === 'DrizzleQueryError');
}

export function databaseErrorFacts(err: unknown): DatabaseErrorFacts {
  const pgError = pgErrorOf(err);
  return {
    name: err instanceof Error ? err.constructor.name : typeof err,
    ...(pgError?.code ? { sqlstate: pgError.code } : {}),
    ...(pgError?.constraint ? { constraint: pgError.constraint } : {}),
    ...(pgError?.table ? { table: pgError.table } : {}),
    ...(pgError?.column ? { column: pgError.column } : {}),
  };
}

/**
 * Errors retrying cannot fix: the data itself was refused (class 22, data exception: a NUL, an
 * out-of-range number, bad Unicode) or broke an integrity rule (class 23: a check, a key, a balance).
 */
export function isPermanentDatabaseError(err: unknown): boolean {
  const code = pgErrorOf(err)?.code;
  return code !== undefined && (code.startsWith('22') || code.startsWith('23'));
}

/** A one-line description with no data in it. */
export function describeDatabaseError(err: unknown): string {
  const f = databaseErrorFacts(err);
  return `database error${f.sqlstate ? ` ${f.sqlstate}` : ''}${f.table ? ` on ${f.table}` : ''}${f.constraint ? ` (${f.constraint})` : ''}${f.column ? ` column ${f.column}` : ''}`;
}

/** pino's `err` serializer: database errors as their facts only; other errors with message and stack. */
export function serializeError(err: unknown): unknown {
  if (isDatabaseError(err)) return { type: 'DatabaseError', message: describeDatabaseError(err), ...databaseErrorFacts(err) };
  if (err instanceof Error) return { type: err.name, message: err.message, stack: err.stack };
  return err;
}

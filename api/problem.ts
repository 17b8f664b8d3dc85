import type { ErrorRequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { z } from './openapi';

/** An RFC 9457 problem with Revolve's stable machine-readable `code`. */
export class Problem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    readonly detail?: string,
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(detail ?? title);
    this.name = 'Problem';
  }
}

export const problems = {
  notFound: (what: string) => new Problem(404, 'NOT_FOUND', 'Not found', `${what} was not found`),
  unauthorized: (detail: string) => new Problem(401, 'UNAUTHORIZED', 'Authentication required', detail, {}, { 'WWW-Authenticate': 'Bearer' }),
  forbidden: (detail: string) => new Problem(403, 'FORBIDDEN', 'Forbidden', detail),
  validation: (issues: { field: string; message: string }[]) =>
    new Problem(400, 'VALIDATION_FAILED', 'The request is not valid', issues.map((i) => `${i.field}: ${i.message}`).join('; '), { errors: issues }),
  unavailable: (code: string, detail: string, retryAfterSeconds: number) =>
    new Problem(503, code, 'Service unavailable', detail, {}, { 'Retry-After': String(retryAfterSeconds) }),
};

export const problemSchema = z.object({
  type: z.string(), title: z.string(), status: z.number().int(), detail: z.string().optional(), code: z.string(),
  errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
}).openapi('Problem');

export function sendProblem(res: Response, problem: Problem): void {
  for (const [name, value] of Object.entries(problem.headers)) res.setHeader(name, value);
  res.status(problem.status).type('application/problem+json').json({
    type: `https://revolve.dev/problems/${problem.code.toLowerCase().replaceAll('_', '-')}`,
    title: problem.title,
    status: problem.status,
    ...(problem.detail ? { detail: problem.detail } : {}),
    code: problem.code,
    ...problem.extra,
  });
}

/** A timeout or lost connection on the way to PostgreSQL (pg's own errors carry no SQLSTATE for these). */
function databaseUnavailable(err: unknown): boolean {
  for (let e = err as { message?: unknown; code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth += 1) {
    const message = typeof e.message === 'string' ? e.message : '';
    if (/Query read timeout|timeout exceeded when trying to connect|Connection terminated/.test(message)) return true;
    if (typeof e.code === 'string' && ['ECONNREFUSED', 'ECONNRESET', '57P01', '57P03', '08006', '08001'].includes(e.code)) return true;
  }
  return false;
}

/** The one error handler: known problems as they are, anything else as a bare 500 (logged, never shown). */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    if (res.headersSent) return;
    if (err instanceof Problem) return sendProblem(res, err);
    const e = err as { type?: string; status?: number; statusCode?: number };
    if (e?.type === 'entity.parse.failed') return sendProblem(res, new Problem(400, 'MALFORMED_JSON', 'The body is not valid JSON'));
    if (e?.type === 'entity.verify.failed') return sendProblem(res, new Problem(400, 'MALFORMED_JSON', 'The body is not valid UTF-8 JSON'));
    if (e?.type === 'entity.too.large') return sendProblem(res, new Problem(413, 'PAYLOAD_TOO_LARGE', 'The body is too large'));
    if (e?.type === 'encoding.unsupported' || e?.type === 'charset.unsupported') return sendProblem(res, new Problem(415, 'UNSUPPORTED_ENCODING', 'The body encoding is not supported'));
    // Express's own refusals of a request (a path that does not decode, say): the client's to fix.
    const status = e?.status ?? e?.statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) return sendProblem(res, new Problem(status, status === 400 ? 'MALFORMED_REQUEST' : 'REQUEST_REFUSED', 'The request could not be read'));
    // The database did not answer in time, or could not be reached: try again shortly, nothing half-done.
    if (databaseUnavailable(err)) {
      logger.warn({ err, requestId: req.headers['x-request-id'] }, 'database unavailable');
      return sendProblem(res, problems.unavailable('DATABASE_UNAVAILABLE', 'the database did not answer in time; retry shortly', 2));
    }
    logger.error({ err, requestId: req.headers['x-request-id'] }, 'unhandled error');
    sendProblem(res, new Problem(500, 'INTERNAL', 'Internal error', 'Something went wrong; quote the X-Request-Id when you report it'));
  };
}

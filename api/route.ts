import type { Request, Response, Router } from 'express';
import type { ZodType } from 'zod';
import { principalOf, requireRole, type Principal, type Role } from './auth';
import { bearerAuth, registry, z } from './openapi';
import { problems, problemSchema } from './problem';

type Method = 'get' | 'post' | 'put' | 'delete';

export interface RouteSpec<P extends ZodType, Q extends ZodType, B extends ZodType, H extends ZodType = ZodType<undefined>> {
  method: Method;
  /** Express-style path (`/v1/credit-lines/:id`); the OpenAPI path is derived from it. */
  path: string;
  summary: string;
  tags: string[];
  /** Who may call it; omitted means any authenticated caller. `public` routes take no token. */
  roles?: Role[];
  public?: boolean;
  params?: P;
  query?: Q;
  body?: B;
  /** Request headers, keyed by their lower-case names (as Node gives them); parsed, and documented. */
  headers?: H;
  responses: Record<number, { description: string; schema?: ZodType }>;
}

export interface RouteInput<P, Q, B, H = undefined> {
  params: P;
  query: Q;
  body: B;
  /** The declared headers, parsed (`headers['idempotency-key']`). */
  headers: H;
  principal: Principal;
  req: Request;
  res: Response;
}

export interface RouteResult { status: number; body?: unknown; headers?: Record<string, string> }

type Issue = { field: string; message: string };

/** `idempotency-key` → `Idempotency-Key`: a header is named to the client as the contract spells it. */
const headerName = (name: string) => name.replace(/(^|-)([a-z])/g, (_, dash: string, letter: string) => dash + letter.toUpperCase());

/** Parses one part of the request; what is wrong with it joins `issues`, named by field. */
function parse<T>(schema: ZodType<T> | undefined, value: unknown, where: string, issues: Issue[], name: (field: string) => string = (f) => f): T {
  if (!schema) return undefined as T;
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  issues.push(...result.error.issues.map((issue) => ({
    field: issue.path.length > 0 ? name(issue.path.join('.')) : where,
    message: issue.message,
  })));
  return undefined as T;
}

/** The OpenAPI view of a headers schema: each header under the name the contract spells. */
function documentedHeaders(headers: ZodType): ZodType {
  if (!(headers instanceof z.ZodObject)) return headers;
  return z.object(Object.fromEntries(Object.entries(headers.shape as Record<string, ZodType>).map(([name, schema]) => [headerName(name), schema])));
}

/**
 * One route, one spec: the same zod schemas validate the request and describe it in the OpenAPI
 * document, so the contract served at /openapi.json is the one enforced.
 */
export function defineRoute<P extends ZodType = ZodType<undefined>, Q extends ZodType = ZodType<undefined>, B extends ZodType = ZodType<undefined>, H extends ZodType = ZodType<undefined>>(
  router: Router,
  spec: RouteSpec<P, Q, B, H>,
  handler: (input: RouteInput<z.infer<P>, z.infer<Q>, z.infer<B>, z.infer<H>>) => Promise<RouteResult>,
): void {
  registry.registerPath({
    method: spec.method,
    path: spec.path.replace(/:([A-Za-z]+)/g, '{$1}'),
    summary: spec.summary,
    tags: spec.tags,
    ...(spec.public ? { security: [] } : { security: [{ [bearerAuth.name]: [] }] }),
    request: {
      ...(spec.params ? { params: spec.params as never } : {}),
      ...(spec.query ? { query: spec.query as never } : {}),
      ...(spec.headers ? { headers: documentedHeaders(spec.headers) as never } : {}),
      ...(spec.body ? { body: { content: { 'application/json': { schema: spec.body } }, required: true } } : {}),
    },
    responses: Object.fromEntries(Object.entries(spec.responses).map(([status, r]) => [status, {
      description: r.description,
      ...(r.schema ? { content: { [Number(status) >= 400 ? 'application/problem+json' : 'application/json']: { schema: r.schema } } } : {}),
    }])),
  });
  const guards = spec.roles ? [requireRole(...spec.roles)] : [];
  router[spec.method](spec.path, ...guards, async (req: Request, res: Response) => {
    // Every part is checked, and every offending field listed in one 400 (API.md).
    const issues: Issue[] = [];
    const input: RouteInput<z.infer<P>, z.infer<Q>, z.infer<B>, z.infer<H>> = {
      params: parse(spec.params, req.params, 'params', issues) as z.infer<P>,
      query: parse(spec.query, req.query, 'query', issues) as z.infer<Q>,
      headers: parse(spec.headers, req.headers, 'headers', issues, headerName) as z.infer<H>,
      body: parse(spec.body, req.body, 'body', issues) as z.infer<B>,
      principal: spec.public ? (undefined as unknown as Principal) : principalOf(req),
      req,
      res,
    };
    if (issues.length > 0) throw problems.validation(issues);
    const result = await handler(input);
    for (const [name, value] of Object.entries(result.headers ?? {})) res.setHeader(name, value);
    if (result.body === undefined) res.status(result.status).end();
    else res.status(result.status).json(result.body);
  });
}

/** The error responses most routes share, for the OpenAPI document. */
export const commonErrors = {
  400: { description: 'Invalid request', schema: problemSchema },
  401: { description: 'Missing or invalid token', schema: problemSchema },
  404: { description: 'Not found (or not yours)', schema: problemSchema },
} as const;

import type { Request, Response, Router } from 'express';
import type { ZodType } from 'zod';
import { principalOf, requireRole, type Principal, type Role } from './auth';
import { bearerAuth, registry, z } from './openapi';
import { problems, problemSchema } from './problem';

type Method = 'get' | 'post' | 'put' | 'delete';

export interface RouteSpec<P extends ZodType, Q extends ZodType, B extends ZodType> {
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
  headers?: ZodType;
  responses: Record<number, { description: string; schema?: ZodType }>;
}

export interface RouteInput<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  principal: Principal;
  req: Request;
  res: Response;
}

export interface RouteResult { status: number; body?: unknown; headers?: Record<string, string> }

function parse<T>(schema: ZodType<T> | undefined, value: unknown, where: string): T {
  if (!schema) return undefined as T;
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  throw problems.validation(result.error.issues.map((issue) => ({
    field: issue.path.length > 0 ? issue.path.join('.') : where,
    message: issue.message,
  })));
}

/**
 * One route, one spec: the same zod schemas validate the request and describe it in the OpenAPI
 * document, so the contract served at /openapi.json is the one enforced.
 */
export function defineRoute<P extends ZodType = ZodType<undefined>, Q extends ZodType = ZodType<undefined>, B extends ZodType = ZodType<undefined>>(
  router: Router,
  spec: RouteSpec<P, Q, B>,
  handler: (input: RouteInput<z.infer<P>, z.infer<Q>, z.infer<B>>) => Promise<RouteResult>,
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
      ...(spec.headers ? { headers: spec.headers as never } : {}),
      ...(spec.body ? { body: { content: { 'application/json': { schema: spec.body } }, required: true } } : {}),
    },
    responses: Object.fromEntries(Object.entries(spec.responses).map(([status, r]) => [status, {
      description: r.description,
      ...(r.schema ? { content: { [Number(status) >= 400 ? 'application/problem+json' : 'application/json']: { schema: r.schema } } } : {}),
    }])),
  });
  const guards = spec.roles ? [requireRole(...spec.roles)] : [];
  router[spec.method](spec.path, ...guards, async (req: Request, res: Response) => {
    const input: RouteInput<z.infer<P>, z.infer<Q>, z.infer<B>> = {
      params: parse(spec.params, req.params, 'params') as z.infer<P>,
      query: parse(spec.query, req.query, 'query') as z.infer<Q>,
      body: parse(spec.body, req.body, 'body') as z.infer<B>,
      principal: spec.public ? (undefined as unknown as Principal) : principalOf(req),
      req,
      res,
    };
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

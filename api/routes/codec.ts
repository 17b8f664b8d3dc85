/**
 * The codec endpoint: Temporal's codec server protocol (`POST /codec/decode`, `POST /codec/encode`,
 * proto3-JSON payloads), through the API's own data converter. Payloads reach Temporal sealed
 * (runtime/payload-codec.ts); the Temporal UI and `temporal workflow show --codec-endpoint` ask here
 * to show them in clear.
 *
 * Who may ask: staff (a support or admin token, e.g. `--codec-auth "Bearer <token>"`). Under
 * `revolve start` the local dev server's UI has no login, so a request from this machine (loopback,
 * not forwarded by a proxy) needs none: the same reach as that UI itself.
 */
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { Payload } from '@temporalio/common';
import { z } from '../openapi';
import { authenticate, requireRole } from '../auth';
import type { ApiContext } from '../context';
import { Problem, problems } from '../problem';

export interface CodecEndpointOptions {
  /** Origins of a Temporal UI allowed to call from the browser (CORS), e.g. `http://localhost:8233`. */
  uiOrigins: readonly string[];
  /** `revolve start`: a request from this machine needs no token. */
  openOnLoopback: boolean;
}

const base64 = z.string().max(8_000_000).regex(/^[A-Za-z0-9+/_-]*={0,2}$/, 'must be base64');
const body = z.object({
  payloads: z.array(z.object({ metadata: z.record(z.string(), base64).optional(), data: base64.optional() })).max(10_000),
});

const bytes = (b64: string): Uint8Array => new Uint8Array(Buffer.from(b64, 'base64'));
const b64 = (value: Uint8Array | null | undefined): string => Buffer.from(value ?? new Uint8Array()).toString('base64');

const fromJson = (p: z.infer<typeof body>['payloads'][number]): Payload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, bytes(v)])),
  data: bytes(p.data ?? ''),
});
const toJson = (p: Payload) => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, b64(v)])),
  data: b64(p.data),
});

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);
const fromThisMachine = (req: Request): boolean => LOOPBACK.has(req.socket.remoteAddress ?? '') && req.headers['x-forwarded-for'] === undefined;

export function codecRoutes(ctx: ApiContext, opts: CodecEndpointOptions): Router {
  const router = express.Router();
  const codecs = ctx.temporal.options.loadedDataConverter.payloadCodecs;

  router.use('/codec', (req: Request, res: Response, next: NextFunction) => {
    const origin = req.headers.origin;
    if (origin && opts.uiOrigins.includes(origin)) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Vary', 'Origin');
      res.setHeader('Access-Control-Allow-Methods', 'POST');
      res.setHeader('Access-Control-Allow-Headers', 'content-type, x-namespace, authorization');
      res.setHeader('Access-Control-Allow-Credentials', 'true');
      // helmet's same-origin default would be read by a browser as "not for the UI's page".
      res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
    }
    if (req.method === 'OPTIONS') { res.status(204).end(); return; }
    next();
  });
  // Under `revolve start`, the local UI's request from this machine stands for a staff member.
  const authenticated = authenticate(ctx.jwtSecret);
  const who = async (req: Request, res: Response, next: NextFunction) => {
    if (!opts.openOnLoopback || !fromThisMachine(req)) return authenticated(req, res, next);
    req.principal = { subject: 'local-temporal-ui', role: 'support' };
    next();
  };
  const staff = requireRole('support', 'admin');
  const json = express.json({ limit: '16mb' });
  const run = (direction: 'encode' | 'decode') => async (req: Request, res: Response) => {
    const parsed = body.safeParse(req.body);
    if (!parsed.success) throw problems.validation(parsed.error.issues.map((i) => ({ field: i.path.join('.') || 'body', message: i.message })));
    let payloads = parsed.data.payloads.map(fromJson);
    // Encoding runs the codecs in order, decoding in reverse (as the SDK does).
    try {
      for (const codec of direction === 'encode' ? codecs : [...codecs].reverse()) payloads = await codec[direction](payloads);
    } catch (err) {
      throw new Problem(422, 'PAYLOAD_NOT_DECODABLE', 'Payload not decodable', err instanceof Error ? err.message : String(err));
    }
    res.json({ payloads: payloads.map(toJson) });
  };
  router.post('/codec/encode', who, staff, json, run('encode'));
  router.post('/codec/decode', who, staff, json, run('decode'));
  return router;
}

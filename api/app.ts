import { isUtf8 } from 'node:buffer';
import { randomUUID } from 'node:crypto';
import express, { type NextFunction, type Request, type Response } from 'express';
import helmet from 'helmet';
import { authenticate } from './auth';
import type { ApiContext } from './context';
import { createMetrics } from './metrics';
import { errorHandler, problems } from './problem';
import { DEFAULT_RATE_LIMITS, rateLimiters, type RateLimitSettings } from './rate-limits';
import { applicationRoutes } from './routes/applications';
import { approvalRoutes } from './routes/approvals';
import { collectionRoutes } from './routes/collections';
import { collectionOpsRoutes } from './routes/collection-ops';
import { decisionRoutes } from './routes/decisions';
import { creditLineRoutes } from './routes/credit-lines';
import { messageRoutes } from './routes/messages';
import { moneyRoutes } from './routes/money';
import { statementRoutes } from './routes/statements';
import { opsRoutes } from './routes/ops';
import { riskRoutes } from './routes/risk';
import { supportRoutes } from './routes/support';
import { verificationRoutes } from './routes/verification';
import { closureRoutes } from './routes/closure';
import { codecRoutes, type CodecEndpointOptions } from './routes/codec';
import { selfServiceRoutes } from './routes/self-service';

export interface AppOptions {
  /** Rate limits (API.md: 429 with Retry-After); defaults are generous, production sets them by config. */
  rateLimits?: Partial<RateLimitSettings>;
  /** The codec endpoint for the Temporal UI (staff only unless `revolve start` opens it to this machine). */
  codec?: CodecEndpointOptions;
}

export function createApp(ctx: ApiContext, opts: AppOptions = {}) {
  const app = express();
  const metrics = createMetrics();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.set('query parser', 'simple');

  app.use((req: Request, res: Response, next: NextFunction) => {
    const given = req.headers['x-request-id'];
    const requestId = typeof given === 'string' && /^[\w.:-]{1,200}$/.test(given) ? given : randomUUID();
    req.headers['x-request-id'] = requestId;
    res.setHeader('X-Request-Id', requestId);
    const started = performance.now();
    res.on('finish', () => ctx.logger.debug({ requestId, method: req.method, url: req.originalUrl, status: res.statusCode, ms: Math.round(performance.now() - started) }, 'request'));
    next();
  });
  app.use(metrics.middleware);
  app.use(helmet());
  app.use(opsRoutes(ctx, metrics.registry));
  app.use(codecRoutes(ctx, opts.codec ?? { uiOrigins: [], openOnLoopback: false }));

  const v1 = express.Router();
  const limits = rateLimiters(ctx.db, { ...DEFAULT_RATE_LIMITS, ...opts.rateLimits });
  v1.use(limits.perClient);
  v1.use(express.json({
    limit: '64kb', type: ['application/json', 'application/*+json'],
    // A body must be UTF-8 (RFC 8259): invalid bytes are refused, not read as U+FFFD.
    verify: (_req, _res, body) => { if (!isUtf8(body)) throw new Error('the body is not valid UTF-8'); },
  }));
  v1.use(authenticate(ctx.jwtSecret));
  v1.use(limits.perSubject);
  v1.post('/v1/applications', limits.applications);
  v1.use(applicationRoutes(ctx));
  v1.use(creditLineRoutes(ctx));
  v1.use(moneyRoutes(ctx));
  v1.use(statementRoutes(ctx));
  v1.use(supportRoutes(ctx));
  v1.use(collectionRoutes(ctx));
  v1.use(collectionOpsRoutes(ctx));
  v1.use(messageRoutes(ctx));
  v1.use(verificationRoutes(ctx));
  v1.use(closureRoutes(ctx));
  v1.use(selfServiceRoutes(ctx));
  v1.use(riskRoutes(ctx));
  v1.use(decisionRoutes(ctx));
  v1.use(approvalRoutes(ctx));
  app.use(v1);

  app.use((req: Request) => { throw problems.notFound(`${req.method} ${req.path}`); });
  app.use(errorHandler(ctx.logger));
  return app;
}

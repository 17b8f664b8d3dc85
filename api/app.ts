import { randomUUID } from 'node:crypto';
import express, { type NextFunction, type Request, type Response } from 'express';
import { rateLimit } from 'express-rate-limit';
import helmet from 'helmet';
import { authenticate } from './auth';
import type { ApiContext } from './context';
import { createMetrics } from './metrics';
import { errorHandler, Problem, problems, sendProblem } from './problem';
import { applicationRoutes } from './routes/applications';
import { creditLineRoutes } from './routes/credit-lines';
import { moneyRoutes } from './routes/money';
import { statementRoutes } from './routes/statements';
import { opsRoutes } from './routes/ops';
import { supportRoutes } from './routes/support';

export interface AppOptions {
  /** Requests per minute per client on /v1; generous by default, tightened in production by config. */
  rateLimitPerMinute?: number;
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

  const v1 = express.Router();
  v1.use(rateLimit({
    windowMs: 60_000,
    limit: opts.rateLimitPerMinute ?? 6000,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    handler: (_req, res, _next, options) => {
      sendProblem(res, new Problem(429, 'RATE_LIMITED', 'Too many requests', 'slow down and retry later', {}, { 'Retry-After': String(Math.ceil(options.windowMs / 1000)) }));
    },
  }));
  v1.use(express.json({ limit: '64kb', type: ['application/json', 'application/*+json'] }));
  v1.use(authenticate(ctx.jwtSecret));
  v1.use(applicationRoutes(ctx));
  v1.use(creditLineRoutes(ctx));
  v1.use(moneyRoutes(ctx));
  v1.use(statementRoutes(ctx));
  v1.use(supportRoutes(ctx));
  app.use(v1);

  app.use((req: Request) => { throw problems.notFound(`${req.method} ${req.path}`); });
  app.use(errorHandler(ctx.logger));
  return app;
}

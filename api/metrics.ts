import type { NextFunction, Request, Response } from 'express';
import client from 'prom-client';
import { activityRegistry } from '../activities/metrics';

/** One registry per API process: HTTP latency by route and status, plus Node's defaults. */
export function createMetrics() {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: 'revolve_api_' });
  const httpDuration = new client.Histogram({
    name: 'revolve_http_request_duration_seconds',
    help: 'HTTP request latency by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5],
    registers: [registry],
  });
  const middleware = (req: Request, res: Response, next: NextFunction) => {
    const end = httpDuration.startTimer();
    res.on('finish', () => {
      // The route pattern, not the URL, so ids do not explode the label set.
      const route = (req.route?.path as string | undefined) ?? 'unmatched';
      end({ method: req.method, route: `${req.baseUrl}${route}`, status: String(res.statusCode) });
    });
    next();
  };
  // The worker's figures (refused line events) beside the API's when both run in this process.
  return { registry: client.Registry.merge([registry, activityRegistry]), middleware };
}

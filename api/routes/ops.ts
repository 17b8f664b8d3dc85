import { sql } from 'drizzle-orm';
import { Router } from 'express';
import type { Registry } from 'prom-client';
import swaggerUi from 'swagger-ui-express';
import type { ApiContext } from '../context';
import { openApiDocument } from '../openapi';

const CHECK_TIMEOUT_MS = 2000;

async function check(probe: () => Promise<unknown>): Promise<{ status: 'up' | 'down'; latencyMs: number; error?: string }> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([probe(), new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS); })]);
    return { status: 'up', latencyMs: Math.round(performance.now() - started) };
  } catch (err) {
    // The kind of failure only: connection strings and SQL never reach a client.
    return { status: 'down', latencyMs: Math.round(performance.now() - started), error: (err as Error).name === 'Error' ? 'unreachable' : (err as Error).name };
  } finally {
    clearTimeout(timer);
  }
}

/** Health, readiness, metrics and the API's own documentation: no token needed. */
export function opsRoutes(ctx: ApiContext, metrics: Registry): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => { res.json({ status: 'ok' }); });
  router.get('/readyz', async (_req, res) => {
    const [postgres, temporal] = await Promise.all([
      check(() => ctx.db.execute(sql`SELECT 1`)),
      check(() => ctx.temporal.connection.workflowService.getSystemInfo({})),
    ]);
    const ready = postgres.status === 'up' && temporal.status === 'up';
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready', dependencies: { postgres, temporal } });
  });
  router.get('/metrics', async (_req, res) => {
    res.type(metrics.contentType).send(await metrics.metrics());
  });
  let document: object | undefined;
  router.get('/openapi.json', (_req, res) => { res.json((document ??= openApiDocument())); });
  router.use('/docs', swaggerUi.serve, swaggerUi.setup(undefined, { swaggerOptions: { url: '/openapi.json' } }));
  return router;
}

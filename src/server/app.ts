/**
 * The express app: the Alertmanager webhook, health, readiness and metrics, plus routers other parts mount
 * (Bolt's receiver at /slack/events, the demo console). Extra routers are mounted before any body parser:
 * Bolt verifies Slack signatures over the raw body and reads it itself.
 */
import express, { type Express, type RequestHandler, type Router } from 'express';
import { errorMessage } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import { createErrorMiddleware, notFound, requireJson } from './errors.js';

/**
 * A named readiness check: resolves when the dependency answers, throws (or times out) otherwise. It may resolve
 * with an object of details to report beside `ok` (e.g. each cluster of several, some of which may be down).
 */
export type ReadinessCheck = (signal: AbortSignal) => Promise<unknown>;

/** A router another part of Medic mounts, e.g. `{ path: '/slack/events', handler: receiver.router }`. */
export interface MountedRouter {
  path: string;
  handler: Router | RequestHandler;
}

export interface AppDeps {
  logger: Logger;
  metrics: Metrics;
  /** MEDIC_BODY_LIMIT, e.g. `5mb`. */
  bodyLimit: string;
  /**
   * POST /alertmanager (handlers/alertmanager.ts, passed in by the composition root): the token check, then
   * the handler on the parsed JSON body. Present on the web role; without it the route answers 404.
   */
  webhook?: { authorize: RequestHandler; handle: RequestHandler };
  readinessChecks: Record<string, ReadinessCheck>;
  routers?: MountedRouter[];
  readinessTimeoutMs?: number;
}

async function runChecks(checks: Record<string, ReadinessCheck>, timeoutMs: number) {
  const entries = await Promise.all(
    Object.entries(checks).map(async ([name, check]) => {
      try {
        const details = await check(AbortSignal.timeout(timeoutMs));
        return [name, { ok: true, ...(typeof details === 'object' ? details : {}) }] as const;
      } catch (error) {
        return [name, { ok: false, error: errorMessage(error) }] as const;
      }
    }),
  );
  return { ok: entries.every(([, r]) => r.ok), checks: Object.fromEntries(entries) };
}

export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  for (const { path, handler } of deps.routers ?? []) app.use(path, handler);

  if (deps.webhook) {
    const { authorize, handle } = deps.webhook;
    app.post('/alertmanager', authorize, requireJson, express.json({ limit: deps.bodyLimit, strict: true }), handle);
  }

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  // Probes come every few seconds: log when readiness changes, not on every probe of a long outage.
  let wasReady = true;
  app.get('/readyz', async (_req, res) => {
    const result = await runChecks(deps.readinessChecks, deps.readinessTimeoutMs ?? 2000);
    if (result.ok !== wasReady) {
      if (result.ok) deps.logger.info('ready again');
      else deps.logger.warn({ checks: result.checks }, 'not ready');
      wasReady = result.ok;
    }
    res.status(result.ok ? 200 : 503).json({ status: result.ok ? 'ok' : 'unavailable', checks: result.checks });
  });

  app.get('/metrics', async (_req, res) => {
    res.setHeader('Content-Type', deps.metrics.registry.contentType);
    res.send(await deps.metrics.registry.metrics());
  });

  app.use(notFound);
  app.use(createErrorMiddleware(deps.logger));
  return app;
}

import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/logger.js';
import { type RunningMedic, startMedic } from '../../src/main.js';
import { createRedisConnection } from '../../src/store/redis.js';
import { findObject, render } from './render.js';

/**
 * The probes and scrape port deploy/ declares must be answered by the role each Deployment runs: a worker
 * pod that did not serve /readyz would never become ready, and one without /healthz would be restarted.
 */
const objects = render('deploy');
const prefix = `medic-deploy-${randomUUID().slice(0, 8)}`;
const running: RunningMedic[] = [];

afterAll(async () => {
  await Promise.all(running.map((m) => m.stop()));
  const redis = createRedisConnection(loadConfig({}).redis, 'store');
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

describe.each(['web', 'worker'] as const)('the medic-%s Deployment', (role) => {
  const container = findObject(objects, 'Deployment', `medic-${role}`).spec.template.spec.containers[0];

  it('runs a role whose server answers its startup, readiness and liveness probes and /metrics', async () => {
    expect(container.args).toEqual(['serve', '--role', role]);
    const config = loadConfig({ PORT: '0', MEDIC_QUEUE_PREFIX: prefix, LOG_LEVEL: 'silent' });
    const medic = await startMedic({
      config,
      role,
      host: '127.0.0.1',
      logger: createLogger('silent'),
      overrides: { kube: null },
    });
    running.push(medic);
    const paths = [container.startupProbe, container.readinessProbe, container.livenessProbe].map(
      (p) => p.httpGet.path as string,
    );
    for (const path of [...new Set(paths), '/metrics']) {
      const response = await fetch(`${medic.url}${path}`);
      expect(response.status, `${role} ${path}`).toBe(200);
    }
    const webhook = await fetch(`${medic.url}/alertmanager`, { method: 'POST' });
    if (role === 'web') expect(webhook.status).not.toBe(404);
    else expect(webhook.status).toBe(404);
  });
});

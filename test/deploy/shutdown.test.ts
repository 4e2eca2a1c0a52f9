import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { createRedisConnection } from '../../src/store/redis.js';
import { spawnMedic } from '../support/medic-process.js';
import { render } from './render.js';

/**
 * The real `medic serve` process, started with each Deployment's role and the medic.yaml deploy/ ships, must
 * become ready and, on SIGTERM, finish within the time the pod has after its preStop hook — or the kubelet
 * kills it mid-request (the rollout mistake Medic diagnoses in others).
 */
const objects = render('deploy');
const prefix = `medic-shutdown-${randomUUID().slice(0, 8)}`;
const settingsFile = join(mkdtempSync(join(tmpdir(), 'medic-shutdown-')), 'medic.yaml');
const settingsMap = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith('medic-config-'));
writeFileSync(settingsFile, settingsMap?.data['medic.yaml'] ?? '');

afterAll(async () => {
  const redis = createRedisConnection(loadConfig({}).redis, 'store');
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

/** How long a role's process may take to exit after SIGTERM: the grace period minus the preStop sleep. */
function drainBudgetMs(role: 'web' | 'worker'): number {
  const deployment = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === `medic-${role}`);
  const spec = deployment?.spec.template.spec;
  expect(spec.containers[0].args).toEqual(['serve', '--role', role]);
  const preStopSeconds = Number(spec.containers[0].lifecycle?.preStop?.exec?.command?.[1] ?? 0);
  return (spec.terminationGracePeriodSeconds - preStopSeconds) * 1000;
}

async function startAndStop(role: 'web' | 'worker'): Promise<void> {
  const budget = drainBudgetMs(role);
  const medic = await spawnMedic({
    role,
    env: {
      MEDIC_QUEUE_PREFIX: prefix,
      MEDIC_CONFIG: settingsFile,
      // No cluster: HOME without a kubeconfig, so start-up does not depend on this machine's.
      HOME: mkdtempSync(join(tmpdir(), 'medic-home-')),
      KUBECONFIG: '',
    },
  });
  const ready = await fetch(`${medic.baseUrl}/readyz`);
  expect(ready.status, role).toBe(200);
  const started = Date.now();
  const exit = await medic.process.stop('SIGTERM', budget);
  const tookMs = Date.now() - started;
  expect(exit, medic.process.output().slice(-2000)).toBe(0);
  expect(tookMs, role).toBeLessThan(budget);
}

describe('medic serve, as each Deployment runs it', () => {
  it('starts with the shipped medic.yaml and drains on SIGTERM within the grace period (web and worker)', async () => {
    // Both at once: start-up through tsx dominates the time of this test.
    await Promise.all([startAndStop('web'), startAndStop('worker')]);
  });
});

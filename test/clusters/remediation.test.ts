/**
 * Remediation with two clusters: each cluster's dry runs and runs go to its own API server, its circuit breaker
 * counts only its own executions (Redis keys carry the cluster), its `remediation` overrides hold there only, and
 * a proposal whose record names no configured cluster never runs.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createClusterRegistry, settingsForCluster } from '../../src/clusters/registry.js';
import { type ClusterServices, createClustersRemediation } from '../../src/clusters/services.js';
import { parseSettings } from '../../src/config/load.js';
import { createClusterWriter } from '../../src/kube/writer.js';
import { createFallbackEngine } from '../../src/pipeline/fallback-engine.js';
import { createRemediation } from '../../src/remediation/index.js';
import { action, clusterObjects, proposalFrom } from '../remediation/fixtures.js';
import { connect, deleteKeysUnder, keysUnder, type Redis, silentLogger, uniquePrefix } from '../support/redis.js';
import { startTestCluster, type TestCluster } from '../support/sandbox.js';

const settings = parseSettings(
  [
    'remediation: {maxExecutionsPerHour: 1}',
    'clusters:',
    '  - {name: prod-eu, remediation: {namespaces: ["shop-*"]}}',
    '  - {name: staging}',
    '  - {name: dev}',
  ].join('\n'),
  'medic.yaml',
);
const scale = (replicas: number) => action('scale', { namespace: 'ads', workload: 'Deployment/api', replicas });
const replicasIn = (c: TestCluster) =>
  (c.sandbox.store.get('apps/v1', 'Deployment', 'ads', 'api') as unknown as { spec: { replicas: number } }).spec
    .replicas;

let redis: Redis;
let prefix: string;
let sandboxes: TestCluster[];

beforeEach(async () => {
  redis = connect('store');
  prefix = uniquePrefix('clusters');
  sandboxes = await Promise.all([0, 1, 2].map(() => startTestCluster({ objects: clusterObjects() })));
});
afterEach(async () => {
  await Promise.all(sandboxes.map((s) => s.close()));
  await deleteKeysUnder(prefix);
  redis.disconnect();
});

function clusters() {
  const services = (settings.clusters ?? []).map((setting, i): ClusterServices => {
    const own = settingsForCluster(settings, setting);
    const apis = (sandboxes[i] as TestCluster).apis;
    return {
      name: setting.name,
      kube: apis,
      reader: null,
      engine: createFallbackEngine(),
      settings: own,
      remediation: createRemediation({
        writer: createClusterWriter(apis),
        settings: own,
        redis,
        keyPrefix: prefix,
        logger: silentLogger,
        cluster: setting.name,
      }),
    };
  });
  return createClustersRemediation(createClusterRegistry(settings, services));
}

describe('remediation per cluster', () => {
  it("runs a proposal in its own cluster, with that cluster's circuit breaker and namespaces", async () => {
    const [prod, staging, dev] = sandboxes as [TestCluster, TestCluster, TestCluster];
    const remediation = clusters();
    // prod-eu may only act in shop-*: no button there, while staging may act in ads.
    const refused = await remediation.prepare(scale(3), undefined, 'prod-eu');
    expect(refused).toMatchObject({ ok: false, rail: 'remediation.namespaces' });

    const first = scale(3);
    const prepared = await remediation.prepare(first, undefined, 'staging');
    await remediation.execute({ ...proposalFrom(first, prepared), cluster: 'staging' });
    expect([replicasIn(prod), replicasIn(staging), replicasIn(dev)]).toEqual([2, 3, 2]);

    // staging's breaker (1 an hour) is spent; dev's is its own.
    expect(await remediation.prepare(scale(4), undefined, 'staging')).toMatchObject({
      ok: false,
      rail: 'remediation.maxExecutionsPerHour',
    });
    const other = scale(4);
    const onDev = await remediation.prepare(other, undefined, 'dev');
    await remediation.execute({ ...proposalFrom(other, onDev), cluster: 'dev' });
    expect([replicasIn(prod), replicasIn(staging), replicasIn(dev)]).toEqual([2, 3, 4]);
    const keys = (await keysUnder(redis, prefix)).map((k) => k.slice(prefix.length));
    expect(keys.sort()).toEqual([':executions:dev/ads', ':executions:staging/ads']);
  });

  it('never runs a proposal whose cluster is not configured, or that names none', async () => {
    const remediation = clusters();
    const proposed = scale(3);
    const prepared = await remediation.prepare(proposed, undefined, 'staging');
    for (const cluster of ['qa', undefined]) {
      const proposal = { ...proposalFrom(proposed, prepared), ...(cluster ? { cluster } : {}) };
      await expect(remediation.execute(proposal)).rejects.toMatchObject({ code: 'GUARD_RAIL', permanent: true });
    }
    expect(await remediation.prepare(proposed, undefined, undefined)).toEqual({
      ok: false,
      reason: 'it names no cluster, and Medic serves several',
    });
    expect(sandboxes.map(replicasIn)).toEqual([2, 2, 2]);
  });
});

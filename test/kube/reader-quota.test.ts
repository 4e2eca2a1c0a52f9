/** The reader's ResourceQuota and LimitRange lists and ReplicaSet events, through the real client against a sandbox. */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKubeApis, loadKubeConfig } from '../../src/kube/client.js';
import { isKubeError } from '../../src/kube/errors.js';
import { type ClusterReader, createClusterReader } from '../../src/kube/reader.js';
import { loadSnapshot, type Sandbox, startSandbox } from '../../src/sandbox/index.js';

const DIR = 'test/scenarios/quota-short-on-memory';
const LIMITS = 'test/scenarios/limitrange-maximum-rollout';
let sandbox: Sandbox;
let reader: ClusterReader;

beforeAll(async () => {
  const objects = [DIR, LIMITS].flatMap((d) => loadSnapshot(readFileSync(`${d}/cluster.yaml`, 'utf8'), d));
  sandbox = await startSandbox({ objects });
  reader = createClusterReader(createKubeApis(loadKubeConfig({ server: sandbox.url })), { cacheTtlMs: 0 });
});
afterAll(() => sandbox.close());

describe('ClusterReader: what pod admission is checked against', () => {
  it('lists the ResourceQuotas of a namespace with spec.hard, status.hard and status.used', async () => {
    const quotas = await reader.scoped().listResourceQuotas('streaming');
    expect(quotas.map((q) => q.metadata?.name)).toEqual(['streaming-quota']);
    expect(quotas[0]?.status?.used?.['requests.memory']).toBe('28Gi');
    expect(quotas[0]?.status?.hard?.['requests.memory']).toBe('32Gi');
    expect(await reader.scoped().listResourceQuotas('analytics')).toHaveLength(1);
    expect(await reader.scoped().listResourceQuotas('nowhere')).toEqual([]);
  });

  it('lists LimitRanges with their per-type bounds', async () => {
    const [range] = await reader.scoped().listLimitRanges('analytics');
    expect(range?.metadata?.name).toBe('container-limits');
    expect(range?.spec?.limits.find((l) => l.type === 'Container')?.max).toEqual({ cpu: '2', memory: '1Gi' });
    expect(await reader.scoped().listLimitRanges('streaming')).toEqual([]);
  });

  it('reads FailedCreate events on a ReplicaSet by kind and name', async () => {
    const events = await reader.scoped().eventsFor('analytics', 'ReplicaSet', 'report-api-5b7c9d8f64');
    expect(events.map((e) => [e.reason, e.count])).toEqual([
      ['FailedCreate', 1],
      ['FailedCreate', 23],
    ]);
    // Same name, other kind: nothing.
    expect(await reader.scoped().eventsFor('analytics', 'Deployment', 'report-api-5b7c9d8f64')).toEqual([]);
  });

  it('turns a refused list into a permanent FORBIDDEN error naming the query and the status', async () => {
    sandbox.setFaults([{ path: '/limitranges$', status: 403 }]);
    try {
      const error = await reader
        .scoped()
        .listLimitRanges('analytics')
        .catch((e: unknown) => e);
      expect(isKubeError(error) && error).toMatchObject({ code: 'FORBIDDEN', status: 403, permanent: true });
      expect((error as Error).message).toMatch(
        /^Kubernetes API refused to list LimitRanges in analytics: .*\(HTTP 403\)$/,
      );
    } finally {
      sandbox.setFaults([]);
    }
  });
});

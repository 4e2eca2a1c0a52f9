/**
 * One rule for what a failed Kubernetes call means: the reader and the writer, going through the real client
 * to a sandbox that answers with an injected status, classify it the same way (permanent or transient, code).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPermanentStatus, type MedicError } from '../../src/errors.js';
import { isKubeError } from '../../src/kube/errors.js';
import { createClusterReader } from '../../src/kube/reader.js';
import { createClusterWriter } from '../../src/kube/writer.js';
import { startTestCluster, type TestCluster } from '../support/sandbox.js';

const deployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'shop' },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: 'web:1' }] } },
  },
};

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: unknown) => e as MedicError,
  );

describe('Kubernetes errors: one translation for the reader and the writer', () => {
  let cluster: TestCluster;
  beforeAll(async () => {
    cluster = await startTestCluster({ objects: [deployment] }, { timeoutMs: 1000 });
  });
  afterAll(async () => {
    await cluster.close();
  });

  it.each([
    [401, 'FORBIDDEN', true],
    [403, 'FORBIDDEN', true],
    [400, 'BAD_REQUEST', true],
    [422, 'BAD_REQUEST', true],
    [409, 'CONFLICT', true],
    [408, 'KUBE_API', false],
    [429, 'KUBE_API', false],
    [500, 'KUBE_API', false],
    [503, 'KUBE_API', false],
  ] as const)('HTTP %i is %s, permanent: %s, for a read and a write alike', async (status, code, permanent) => {
    cluster.sandbox.setFaults([{ path: '/deployments/web$', status }]);
    try {
      const read = await failure(createClusterReader(cluster.apis).scoped().getWorkload('shop', 'Deployment', 'web'));
      const write = await failure(
        createClusterWriter(cluster.apis).patchWorkload('shop', 'Deployment', 'web', {}, 'merge', { dryRun: true }),
      );
      for (const error of [read, write]) {
        expect(isKubeError(error)).toBe(true);
        expect(error).toMatchObject({ code, status, permanent });
        expect(error.message).toMatch(new RegExp(`^Kubernetes API (refused|failed) to .*\\(HTTP ${status}\\)$`));
      }
      expect(isPermanentStatus(status)).toBe(permanent);
    } finally {
      cluster.sandbox.setFaults([]);
    }
  });

  it('an API server that does not answer is transient and says so', async () => {
    const dead = createClusterReader(
      (
        await startTestCluster({ objects: [] }).then(async (c) => {
          await c.close();
          return c;
        })
      ).apis,
    );
    const error = await failure(dead.scoped().listNodes());
    expect(isKubeError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'UNAVAILABLE', status: 0, permanent: false });
    expect(error.message).toMatch(/^Kubernetes API unreachable while trying to list nodes: /);
  });
});

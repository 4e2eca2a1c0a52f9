/** The ClusterReader through the real client against a sandbox: null for not-found, KUBE_API errors, owner chains, zones. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isMedicError } from '../../src/errors.js';
import { createKubeApis, loadKubeConfig } from '../../src/kube/client.js';
import { type ClusterReader, createClusterReader, nodeZone, volumeZones } from '../../src/kube/reader.js';
import { type Sandbox, startSandbox } from '../../src/sandbox/index.js';

const meta = (kind: string, name: string, extra: Record<string, unknown> = {}) => ({
  kind,
  metadata: { name, namespace: 'shop', ...extra },
});
const OBJECTS = [
  { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n-new', labels: { 'topology.kubernetes.io/zone': 'z-a' } } },
  {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: 'n-old', labels: { 'failure-domain.beta.kubernetes.io/zone': 'z-b' } },
  },
  {
    apiVersion: 'apps/v1',
    ...meta('Deployment', 'web', { uid: 'd-1' }),
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'web:2' }] } },
    },
  },
  ...[1, 2].map((rev) => ({
    apiVersion: 'apps/v1',
    ...meta('ReplicaSet', `web-rs${rev}`, {
      uid: `rs-${rev}`,
      labels: { app: 'web' },
      annotations: { 'deployment.kubernetes.io/revision': String(rev) },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'd-1', controller: true }],
    }),
    spec: {
      selector: { matchLabels: { app: 'web' } },
      template: { spec: { containers: [{ name: 'web', image: `web:${rev}` }] } },
    },
  })),
  {
    apiVersion: 'v1',
    ...meta('Pod', 'web-rs2-abcde', {
      labels: { app: 'web' },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-rs2', uid: 'rs-2', controller: true }],
    }),
    spec: { nodeName: 'n-new', containers: [{ name: 'web', image: 'web:2' }] },
    status: { phase: 'Running' },
  },
  {
    apiVersion: 'autoscaling/v2',
    ...meta('HorizontalPodAutoscaler', 'web-hpa'),
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
      minReplicas: 3,
      maxReplicas: 9,
    },
  },
  {
    apiVersion: 'v1',
    ...meta('Event', 'web-rs2-abcde.1'),
    involvedObject: { kind: 'Pod', name: 'web-rs2-abcde', namespace: 'shop' },
    reason: 'BackOff',
    message: 'Back-off restarting failed container',
    type: 'Warning',
    lastTimestamp: '2026-11-20T10:00:00Z',
  },
  {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name: 'pv-1' },
    spec: {
      nodeAffinity: {
        required: {
          nodeSelectorTerms: [
            { matchExpressions: [{ key: 'topology.ebs.csi.aws.com/zone', operator: 'In', values: ['z-c'] }] },
          ],
        },
      },
    },
  },
  {
    apiVersion: 'metrics.k8s.io/v1beta1',
    kind: 'PodMetrics',
    metadata: { name: 'web-rs2-abcde', namespace: 'shop' },
    containers: [{ name: 'web', usage: { cpu: '12m', memory: '300Mi' } }],
  },
  {
    apiVersion: 'sandbox.medic.dev/v1',
    kind: 'PodLogs',
    metadata: { name: 'web-rs2-abcde', namespace: 'shop' },
    containers: { web: 'a\nb\nc\n' },
    previous: { web: 'boom\n' },
  },
];

let sandbox: Sandbox;
let reader: ClusterReader;

beforeAll(async () => {
  sandbox = await startSandbox({ objects: OBJECTS });
  reader = createClusterReader(createKubeApis(loadKubeConfig({ server: sandbox.url })), { cacheTtlMs: 0 });
});
afterAll(() => sandbox.close());

describe('ClusterReader', () => {
  it('answers null, not an error, for objects that do not exist', async () => {
    const r = reader.scoped();
    expect(await r.getPod('shop', 'gone')).toBeNull();
    expect(await r.getWorkload('shop', 'Deployment', 'gone')).toBeNull();
    expect(await r.getPv('gone')).toBeNull();
    expect(await r.hpaFor('shop', 'Deployment', 'gone')).toBeNull();
    expect(r.requestCount).toBe(4);
  });

  it('follows the owner chain from a pod to its Deployment and lists its revisions newest first', async () => {
    const r = reader.scoped();
    const pod = await r.getPod('shop', 'web-rs2-abcde');
    const workload = await r.workloadOf(pod!);
    expect(workload).toMatchObject({ kind: 'Deployment', name: 'web' });
    const revisions = await r.replicaSetsOf(workload!.object as never);
    expect(revisions.map((x) => x.revision)).toEqual([2, 1]);
    expect((await r.podsOf(workload!)).map((p) => p.metadata?.name)).toEqual(['web-rs2-abcde']);
  });

  it('reads events of an object, the HPA of a workload, pod metrics and logs', async () => {
    const r = reader.scoped();
    expect((await r.eventsFor('shop', 'Pod', 'web-rs2-abcde')).map((e) => e.reason)).toEqual(['BackOff']);
    expect((await r.hpaFor('shop', 'Deployment', 'web'))?.spec?.minReplicas).toBe(3);
    expect(await r.podMetrics('shop', 'web-rs2-abcde')).toEqual([{ name: 'web', cpu: '12m', memory: '300Mi' }]);
    expect(await r.logs('shop', 'web-rs2-abcde', 'web', { previous: true })).toContain('boom');
    expect(await r.podMetrics('shop', 'nothing')).toBeNull();
  });

  it('knows zones from the current and the legacy node label, and from a CSI volume affinity', async () => {
    const nodes = await reader.scoped().listNodes();
    expect(Object.fromEntries(nodes.map((n) => [n.metadata?.name, nodeZone(n)]))).toEqual({
      'n-new': 'z-a',
      'n-old': 'z-b',
    });
    expect(volumeZones((await reader.scoped().getPv('pv-1'))!)).toEqual(['z-c']);
  });

  it('turns API failures into KUBE_API errors with the upstream status', async () => {
    sandbox.setFaults([{ path: '/pods', status: 503 }]);
    try {
      const error = await reader
        .scoped()
        .listPods('shop')
        .catch((e: unknown) => e);
      expect(isMedicError(error) && error.code === 'KUBE_API' && error.status === 503).toBe(true);
    } finally {
      sandbox.setFaults([]);
    }
  });

  it('shares answers within a diagnosis and, for a short time, across diagnoses', async () => {
    const cached = createClusterReader(createKubeApis(loadKubeConfig({ server: sandbox.url })), { cacheTtlMs: 60_000 });
    const first = cached.scoped();
    await Promise.all([first.listNodes(), first.listNodes()]);
    expect(first.requestCount).toBe(1);
    const second = cached.scoped();
    await second.listNodes();
    expect(second.requestCount).toBe(0);
  });
});

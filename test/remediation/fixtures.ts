/** A small cluster for remediation tests, served by the sandbox, and a Remediation wired to it and to Redis. */

import { type Settings, settingsSchema } from '../../src/config/settings.js';
import { createClusterWriter } from '../../src/kube/writer.js';
import { createRemediation, type PreparedAction, type Remediation } from '../../src/remediation/index.js';
import type { Redis } from '../../src/store/redis.js';
import type { Proposal, ProposedAction } from '../../src/types.js';
import { connect, deleteKeysUnder, silentLogger, uniquePrefix } from '../support/redis.js';
import { startTestCluster, type TestCluster } from '../support/sandbox.js';

const DEPLOY_UID = '11111111-1111-4111-8111-111111111111';

const container = (name: string, image: string, limit: string, request: string) => ({
  name,
  image,
  resources: { limits: { memory: limit }, requests: { memory: request } },
});

function podTemplate(image: string, extraLabels: Record<string, string> = {}) {
  return {
    metadata: { labels: { app: 'api', ...extraLabels } },
    spec: {
      containers: [
        container('app', image, '256Mi', '200Mi'),
        container('consul-client', 'hashicorp/consul:1.15', '200Mi', '100Mi'),
      ],
    },
  };
}

function replicaSet(name: string, revision: number, image: string, hash: string) {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name,
      namespace: 'ads',
      labels: { app: 'api', 'pod-template-hash': hash },
      annotations: {
        'deployment.kubernetes.io/revision': String(revision),
        'kubernetes.io/change-cause': `image ${image}`,
      },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'api', uid: DEPLOY_UID, controller: true }],
    },
    spec: {
      replicas: 0,
      selector: { matchLabels: { app: 'api', 'pod-template-hash': hash } },
      template: podTemplate(image, { 'pod-template-hash': hash }),
    },
  };
}

const node = (name: string, zone: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name, labels: { 'topology.kubernetes.io/zone': zone, 'kubernetes.io/hostname': name } },
  spec: { ...extra },
  status: { conditions: [{ type: 'Ready', status: 'True' }] },
});

export function clusterObjects(): unknown[] {
  return [
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: {
        name: 'api',
        namespace: 'ads',
        uid: DEPLOY_UID,
        generation: 3,
        annotations: { 'deployment.kubernetes.io/revision': '2' },
      },
      spec: { replicas: 2, selector: { matchLabels: { app: 'api' } }, template: podTemplate('ads/api:v2') },
      status: { replicas: 2, readyReplicas: 2 },
    },
    replicaSet('api-5d8f7c9b4', 1, 'ads/api:v1', '5d8f7c9b4'),
    {
      ...replicaSet('api-7c6b5d4f3', 2, 'ads/api:v2', '7c6b5d4f3'),
      spec: { ...replicaSet('api-7c6b5d4f3', 2, 'ads/api:v2', '7c6b5d4f3').spec, replicas: 2 },
    },
    {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'api', namespace: 'ads' },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'api' },
        minReplicas: 2,
        maxReplicas: 10,
      },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'db', namespace: 'ads' },
      spec: {
        replicas: 3,
        serviceName: 'db',
        selector: { matchLabels: { app: 'db' } },
        template: {
          metadata: { labels: { app: 'db' } },
          spec: { containers: [container('postgres', 'postgres:16', '1Gi', '512Mi')] },
        },
      },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'agent', namespace: 'ads' },
      spec: {
        selector: { matchLabels: { app: 'agent' } },
        template: {
          metadata: { labels: { app: 'agent' } },
          spec: {
            initContainers: [
              { ...container('consul', 'hashicorp/consul:1.15', '200Mi', '150Mi'), restartPolicy: 'Always' },
            ],
            containers: [container('agent', 'ads/agent:3', '64Mi', '32Mi')],
          },
        },
      },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'coredns', namespace: 'kube-system' },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'coredns' } },
        template: {
          metadata: { labels: { app: 'coredns' } },
          spec: { containers: [container('coredns', 'coredns:1.11', '170Mi', '70Mi')] },
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'api-7c6b5d4f3-x2x2x',
        namespace: 'ads',
        labels: { app: 'api', 'pod-template-hash': '7c6b5d4f3' },
        ownerReferences: [
          {
            apiVersion: 'apps/v1',
            kind: 'ReplicaSet',
            name: 'api-7c6b5d4f3',
            uid: '22222222-2222-4222-8222-222222222222',
            controller: true,
          },
        ],
      },
      spec: { nodeName: 'node-a1', containers: [container('app', 'ads/api:v2', '256Mi', '200Mi')] },
      status: { phase: 'Running' },
    },
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'debug-shell', namespace: 'ads' },
      spec: { containers: [{ name: 'sh', image: 'busybox' }] },
      status: { phase: 'Running' },
    },
    node('node-a1', 'zone-a'),
    node('node-a2', 'zone-a'),
    node('node-b1', 'zone-b'),
    node('node-b2', 'zone-b'),
    node('node-b3', 'zone-b'),
    node('node-b4', 'zone-b'),
    node('node-c1', 'zone-c'),
  ];
}

export interface Harness {
  cluster: TestCluster;
  redis: Redis;
  prefix: string;
  remediation: Remediation;
  /** Reads the object the sandbox now holds (what a later GET would return). */
  stored(apiVersion: string, kind: string, namespace: string | undefined, name: string): Record<string, any>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  settings?: Record<string, unknown>;
  alertmanagerUrl?: string;
  now?: () => number;
  /** More objects for the cluster, beside clusterObjects(). */
  objects?: unknown[];
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const cluster = await startTestCluster({
    objects: [...clusterObjects(), ...(options.objects ?? [])],
  });
  const redis = connect('store');
  const prefix = uniquePrefix('remediation');
  const settings: Settings = settingsSchema.parse(options.settings ?? {});
  const remediation = createRemediation({
    writer: createClusterWriter(cluster.apis),
    settings,
    redis,
    keyPrefix: prefix,
    logger: silentLogger,
    ...(options.alertmanagerUrl ? { alertmanagerUrl: options.alertmanagerUrl } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
  return {
    cluster,
    redis,
    prefix,
    remediation,
    stored: (apiVersion, kind, namespace, name) => {
      const object = cluster.sandbox.store.get(apiVersion, kind, namespace, name);
      if (!object) throw new Error(`${kind} ${namespace}/${name} is not in the sandbox`);
      return structuredClone(object) as Record<string, any>;
    },
    async close() {
      await cluster.close();
      await deleteKeysUnder(prefix);
      redis.disconnect();
    },
  };
}

let counter = 0;

/** The proposal the Slack side would store after a successful prepare. */
export function proposalFrom(action: ProposedAction, prepared: PreparedAction, now = Date.now()): Proposal {
  if (!prepared.ok) throw new Error(`prepare failed: ${prepared.reason}`);
  counter += 1;
  return {
    id: `p-${process.pid}-${counter}-${Math.random().toString(36).slice(2, 8)}`,
    kind: action.kind,
    title: action.title,
    params: action.params,
    risk: action.risk,
    diff: prepared.diff,
    ...(prepared.precondition ? { precondition: prepared.precondition } : {}),
    origin: { type: 'user', userId: 'U0ONCALL', command: 'test' },
    createdAt: now,
    expiresAt: now + 3_600_000,
    state: 'approved',
    approvedBy: 'U0APPROVER',
  };
}

export function action(kind: ProposedAction['kind'], params: Record<string, unknown>): ProposedAction {
  return { kind, title: `${kind} test`, params, risk: 'medium' };
}

import { describe, expect, it } from 'vitest';
import { hostPorts, portBlock } from '../../src/diagnosis/host-ports.js';
import type { Node, Pod, Workload } from '../../src/kube/reader.js';

const node = (name: string): Node =>
  ({ metadata: { name }, spec: {}, status: { conditions: [{ type: 'Ready', status: 'True' }] } }) as Node;

function pod(name: string, hash: string, nodeName?: string, extra: Partial<NonNullable<Pod['spec']>> = {}): Pod {
  return {
    metadata: { name, namespace: 'ingress', labels: { app: 'edge', 'pod-template-hash': hash } },
    spec: {
      containers: [{ name: 'proxy', ports: [{ containerPort: 8080, hostPort: 80 }] }],
      ...(nodeName ? { nodeName } : {}),
      ...extra,
    },
    status: { phase: nodeName ? 'Running' : 'Pending' },
  } as Pod;
}

function deployment(replicas: number, rollingUpdate?: Record<string, unknown>): Workload {
  return {
    kind: 'Deployment',
    name: 'edge',
    object: { spec: { replicas, strategy: { type: 'RollingUpdate', ...(rollingUpdate ? { rollingUpdate } : {}) } } },
  } as unknown as Workload;
}

const nodes = [node('n1'), node('n2'), node('n3')];
const old = [pod('old-1', 'v1', 'n1'), pod('old-2', 'v1', 'n2'), pod('old-3', 'v1', 'n3')];

describe('pods whose host ports no node has free', () => {
  it('reads hostPorts, and every container port of a hostNetwork pod', () => {
    expect(hostPorts(pod('p', 'v1'))).toEqual(['80/TCP']);
    const hostNetwork = pod('p', 'v1', undefined, {
      hostNetwork: true,
      containers: [{ name: 'agent', ports: [{ containerPort: 9100, protocol: 'TCP' }] }],
    });
    expect(hostPorts(hostNetwork)).toEqual(['9100/TCP']);
    expect(
      hostPorts(pod('p', 'v1', undefined, { containers: [{ name: 'a', ports: [{ containerPort: 80 }] }] })),
    ).toEqual([]);
  });

  it('names a surging rollout whose maxUnavailable resolves to 0 while old pods hold every node', () => {
    const block = portBlock(pod('new-1', 'v2'), [...old, pod('new-1', 'v2')], nodes, deployment(3));
    expect(block?.words).toContain('maxSurge 25% (1 pod(s)), maxUnavailable 25% (0 of 3)');
    expect(block?.words).toContain('Set maxSurge 0 and maxUnavailable 1');
  });

  it('claims nothing when the strategy stops an old pod first, or a node still has the port free', () => {
    expect(portBlock(pod('new-1', 'v2'), old, nodes, deployment(3, { maxUnavailable: 1 }))).toBeNull();
    expect(portBlock(pod('new-1', 'v2'), old, [...nodes, node('n4')], deployment(3))).toBeNull();
  });

  it('names more replicas than nodes, one pod per node', () => {
    const block = portBlock(pod('p4', 'v1'), [...old, pod('p4', 'v1')], nodes, deployment(4));
    expect(block?.words).toContain('wants 4 replicas, but host port(s) 80/TCP allow one pod per node and 3 node(s)');
  });
});

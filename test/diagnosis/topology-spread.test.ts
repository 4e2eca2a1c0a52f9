import { describe, expect, it } from 'vitest';
import { spreadBlock } from '../../src/diagnosis/topology-spread.js';
import type { Node, Pod } from '../../src/kube/reader.js';

const ZONE = 'topology.kubernetes.io/zone';

function node(name: string, zone: string, blocked: 'cordoned' | 'notready' | null = null): Node {
  return {
    metadata: { name, labels: { [ZONE]: zone } },
    spec: blocked === 'cordoned' ? { unschedulable: true } : {},
    status: {
      conditions: [{ type: 'Ready', status: blocked === 'notready' ? 'Unknown' : 'True', reason: 'NodeStatusUnknown' }],
    },
  } as Node;
}

type Constraint = NonNullable<NonNullable<Pod['spec']>['topologySpreadConstraints']>[number];
const constraint = (extra: Partial<Constraint> = {}): Constraint => ({
  maxSkew: 1,
  topologyKey: ZONE,
  whenUnsatisfiable: 'DoNotSchedule',
  labelSelector: { matchLabels: { app: 'api' } },
  ...extra,
});

function pod(name: string, nodeName?: string, extra: { hash?: string; terminating?: boolean } = {}): Pod {
  return {
    metadata: {
      name,
      namespace: 'shop',
      labels: { app: 'api', 'pod-template-hash': extra.hash ?? 'v1' },
      ...(extra.terminating ? { deletionTimestamp: '2026-11-20T03:00:00Z' } : {}),
    },
    spec: { containers: [], ...(nodeName ? { nodeName } : {}) },
  } as Pod;
}

const pending = (c: Constraint = constraint(), hash = 'v1') => {
  const p = pod('api-new', undefined, { hash });
  p.spec = { ...p.spec, containers: [], topologySpreadConstraints: [c] };
  return p;
};

const nodes = [node('a1', 'a'), node('b1', 'b'), node('c1', 'c', 'cordoned')];
const placed = [pod('p1', 'a1'), pod('p2', 'a1'), pod('p3', 'b1'), pod('p4', 'b1'), pod('p5', 'c1')];

describe('pods a topology spread constraint holds back', () => {
  it('names the one zone a new pod may use, why its nodes refuse it, and the skew elsewhere', () => {
    const block = spreadBlock(pending(), placed, nodes);
    expect(block?.evidence[0]).toContain('pods per topology.kubernetes.io/zone: a 2, b 2, c 1');
    expect(block?.words).toContain('may only go to topology.kubernetes.io/zone c, where no node can take it (cordoned');
    expect(block?.words).toContain('in a, b it would make the skew 2, over maxSkew 1');
    expect(block?.words).toContain('uncordon it');
  });

  it('does not count terminating pods, so a zone whose pods are being evicted is the only one allowed', () => {
    const down = [node('a1', 'a'), node('b1', 'b'), node('c1', 'c', 'notready')];
    const evicted = [pod('p1', 'a1'), pod('p3', 'b1'), pod('p5', 'c1', { terminating: true })];
    const block = spreadBlock(pending(), evicted, down);
    expect(block?.evidence[0]).toContain('a 1, b 1, c 0');
    expect(block?.words).toContain('bring back or replace the NotReady ones');
  });

  it('counts only the pod revision matchLabelKeys names, and a missing domain as 0 under minDomains', () => {
    const c = constraint({ matchLabelKeys: ['pod-template-hash'] });
    const mixed = [pod('p1', 'a1', { hash: 'v2' }), pod('p2', 'a1'), pod('p3', 'b1'), pod('p5', 'c1')];
    expect(spreadBlock(pending(c, 'v2'), mixed, nodes)?.evidence[0]).toContain('a 1, b 0, c 0');
    const two = [node('a1', 'a'), node('b1', 'b')];
    const few = spreadBlock(pending(constraint({ minDomains: 3 })), [pod('p1', 'a1'), pod('p2', 'b1')], two);
    expect(few?.evidence[0]).toContain('fewer than minDomains 3');
  });

  it('says the schedulable nodes of the allowed zone lack something else when one could take the pod', () => {
    const open = [node('a1', 'a'), node('b1', 'b'), node('c1', 'c')];
    expect(spreadBlock(pending(), placed, open)?.words).toContain('lack something else it needs');
  });

  it('says nothing for ScheduleAnyway or a pod without constraints', () => {
    expect(spreadBlock(pending(constraint({ whenUnsatisfiable: 'ScheduleAnyway' })), placed, nodes)).toBeNull();
    expect(spreadBlock(pod('bare'), placed, nodes)).toBeNull();
  });
});

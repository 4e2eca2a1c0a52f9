/** Node room as the scheduler's resource fit counts it: requests (not usage), usable nodes only. */
import { describe, expect, it } from 'vitest';
import { clusterRoom, podRequests } from '../../src/diagnosis/capacity.js';
import type { Node, Pod } from '../../src/kube/reader.js';

const c = (name: string, cpu: string, memory: string, restartPolicy?: string) => ({
  name,
  image: name,
  resources: { requests: { cpu, memory } },
  ...(restartPolicy ? { restartPolicy } : {}),
});

const node = (name: string, extra: Partial<Node['spec']> = {}, ready = 'True'): Node => ({
  metadata: { name, labels: { 'kubernetes.io/hostname': name, pool: 'apps' } },
  spec: { ...extra },
  status: { allocatable: { cpu: '2', memory: '4Gi', pods: '10' }, conditions: [{ type: 'Ready', status: ready }] },
});

const bound = (nodeName: string, cpu: string, memory: string): Pod => ({
  spec: { nodeName, containers: [c('x', cpu, memory)] },
});

describe('podRequests', () => {
  it('adds native sidecars and overhead to the containers, and takes the largest init container when it is bigger', () => {
    expect(
      podRequests({
        containers: [c('app', '500m', '1Gi')],
        initContainers: [c('consul', '100m', '128Mi', 'Always'), c('migrate', '2', '256Mi')],
        overhead: { cpu: '50m', memory: '64Mi' },
      }),
    ).toEqual({ cpu: 2050, memory: (1024 + 128 + 64) * 2 ** 20 });
  });
});

describe('clusterRoom', () => {
  const shape: Pod = { spec: { containers: [c('app', '500m', '1Gi')], nodeSelector: { pool: 'apps' } } };

  it('counts what the bound pods request, per node, and the pods that still fit', () => {
    const room = clusterRoom([node('a'), node('b')], [bound('a', '1500m', '1Gi'), bound('b', '200m', '3Gi')], shape);
    expect(room.nodes.map((n) => [n.name, n.fits])).toEqual([
      ['a', 1],
      ['b', 1],
    ]);
    expect(room.fits).toBe(2);
  });

  it('leaves out cordoned, NotReady, untolerated-tainted and unselected nodes', () => {
    const other = node('e');
    other.metadata = { name: 'e', labels: { pool: 'batch' } };
    const room = clusterRoom(
      [
        node('a', { unschedulable: true }),
        node('b', {}, 'Unknown'),
        node('c', { taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] }),
        node('d'),
        other,
      ],
      [],
      shape,
    );
    expect(room.nodes.map((n) => n.blocker)).toEqual([
      'cordoned (unschedulable)',
      'NotReady (Unknown)',
      'tainted dedicated=db:NoSchedule',
      null,
      'does not match nodeSelector pool=apps',
    ]);
    expect(room).toMatchObject({ usable: 1, fits: 4 });
  });

  it('a node whose pod slots are used up takes no more pods, whatever cpu and memory it has left', () => {
    const pods = Array.from({ length: 10 }, () => bound('a', '10m', '10Mi'));
    expect(clusterRoom([node('a')], pods, shape).fits).toBe(0);
  });
});

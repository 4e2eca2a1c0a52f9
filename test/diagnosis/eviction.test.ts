/** The kubelet's eviction messages, parsed in one place: storage never reads as memory, memory never as storage. */
import { describe, expect, it } from 'vitest';
import {
  classifyEviction,
  evictionTime,
  explainingEvictions,
  isNodeMemoryEviction,
  isStorageEviction,
  unusualThreshold,
} from '../../src/diagnosis/eviction.js';
import type { ResolvedTarget } from '../../src/diagnosis/playbook.js';
import { failedByKubelet } from '../../src/diagnosis/pods.js';
import type { Pod } from '../../src/kube/reader.js';

const evicted = (message: string): Pod => ({ status: { phase: 'Failed', reason: 'Evicted', message } });

describe('eviction messages of the kubelet', () => {
  it.each([
    [
      'The node was low on resource: memory. Threshold quantity: 100Mi, available: 91232Ki. Container etl was using 3523412Ki, request is 256Mi, has larger consumption of memory. ',
      { scope: 'node', resource: 'memory' },
      'memory',
    ],
    [
      'The node was low on resource: memory. Threshold quantity: 100Mi, available: 65432Ki. Container ephemeral-storage-reporter was using 2936012Ki, request is 128Mi, has larger consumption of memory. ',
      { scope: 'node', resource: 'memory' },
      'memory',
    ],
    [
      'The node was low on resource: ephemeral-storage. Threshold quantity: 10%, available: 8421476Ki. Container app was using 10Gi, request is 0, has larger consumption of ephemeral-storage. ',
      { scope: 'node', resource: 'ephemeral-storage' },
      'storage',
    ],
    ['The node was low on resource: inodes. ', { scope: 'node', resource: 'inodes' }, 'storage'],
    ['The node had condition: [DiskPressure]. ', { scope: 'node', resource: 'ephemeral-storage' }, 'storage'],
    [
      'Container in-memory-cache exceeded its local ephemeral storage limit "2Gi". ',
      { scope: 'container-limit', container: 'in-memory-cache', limit: '2Gi' },
      'storage',
    ],
    [
      'Pod ephemeral local storage usage exceeds the total limit of containers 1Gi. ',
      { scope: 'pod-limit', limit: '1Gi' },
      'storage',
    ],
    [
      'Usage of EmptyDir volume "memory-scratch" exceeds the limit "512Mi". ',
      { scope: 'emptydir-limit', volume: 'memory-scratch', limit: '512Mi' },
      'storage',
    ],
    ['The node was low on resource: pids. ', { scope: 'node', resource: 'pids' }, 'neither'],
  ])('%s', (message, kind, verdict) => {
    const pod = evicted(message);
    expect(classifyEviction(pod)).toMatchObject(kind);
    expect(isNodeMemoryEviction(pod)).toBe(verdict === 'memory');
    expect(isStorageEviction(pod)).toBe(verdict === 'storage');
  });

  it('reads a pod that was not evicted, or an unknown wording, as no storage eviction', () => {
    expect(classifyEviction({ status: { phase: 'Failed', reason: 'OOMKilled', message: 'memory' } })).toBeNull();
    expect(isStorageEviction(evicted('Pod was rejected: unexpected admission error'))).toBe(false);
    // An unknown wording that speaks of memory only keeps the old reading.
    expect(isNodeMemoryEviction(evicted('System OOM: low on memory'))).toBe(true);
  });
});

describe('which evictions can explain an alert', () => {
  const start = Date.parse('2026-11-21T10:56:35Z');
  const workloadTarget: ResolvedTarget = {
    kind: 'Deployment',
    name: 'api',
    namespace: 'shop',
    found: true,
    description: 'Deployment shop/api',
    workload: null,
    pods: [],
  };
  const at = (name: string, status: Pod['status']): Pod => ({ metadata: { name }, status });
  const byCondition = (name: string, type: string, time: string) =>
    at(name, {
      phase: 'Failed',
      reason: 'Evicted',
      message: 'The node was low on resource: memory. ',
      conditions: [{ type, status: type === 'Ready' ? 'False' : 'True', lastTransitionTime: time }],
    });

  it('reads the time from DisruptionTarget, then Ready, then the latest container finish', () => {
    expect(evictionTime(byCondition('a', 'DisruptionTarget', '2026-11-21T10:40:00Z'))?.toISOString()).toBe(
      '2026-11-21T10:40:00.000Z',
    );
    expect(evictionTime(byCondition('b', 'Ready', '2026-11-20T01:00:00Z'))?.toISOString()).toBe(
      '2026-11-20T01:00:00.000Z',
    );
    const finished = at('c', {
      phase: 'Failed',
      reason: 'Evicted',
      containerStatuses: [
        {
          name: 'x',
          image: 'x',
          imageID: '',
          ready: false,
          restartCount: 0,
          state: { terminated: { exitCode: 137, finishedAt: '2026-11-19T03:00:00Z' } },
        },
        {
          name: 'y',
          image: 'y',
          imageID: '',
          ready: false,
          restartCount: 0,
          state: { terminated: { exitCode: 137, finishedAt: '2026-11-19T04:00:00Z' } },
        },
      ],
    } as Pod['status']);
    expect(evictionTime(finished)?.toISOString()).toBe('2026-11-19T04:00:00.000Z');
    expect(evictionTime(at('d', { phase: 'Failed', reason: 'Evicted' }))).toBeUndefined();
  });

  it("keeps a workload's recent evictions and drops the ones long before the alert", () => {
    const recent = byCondition('recent', 'DisruptionTarget', '2026-11-21T10:40:00Z');
    const sixHoursBefore = byCondition('edge', 'DisruptionTarget', '2026-11-21T04:57:00Z');
    const daysBefore = byCondition('old', 'DisruptionTarget', '2026-11-16T04:41:09Z');
    const unknownTime = at('untimed', { phase: 'Failed', reason: 'Evicted' });
    const kept = explainingEvictions([recent, sixHoursBefore, daysBefore, unknownTime], workloadTarget, start);
    expect(kept.map((p) => p.metadata?.name)).toEqual(['recent', 'edge', 'untimed']);
  });

  it('keeps the pod the alert names however old its eviction (KubePodNotReady fires for a Failed pod)', () => {
    const old = byCondition('api-7d9-x2k', 'DisruptionTarget', '2026-11-16T04:41:09Z');
    const sibling = byCondition('api-7d9-q8z', 'DisruptionTarget', '2026-11-16T04:41:09Z');
    const podTarget: ResolvedTarget = { ...workloadTarget, kind: 'Pod', name: 'api-7d9-x2k' };
    expect(explainingEvictions([old, sibling], podTarget, start).map((p) => p.metadata?.name)).toEqual(['api-7d9-x2k']);
  });
});

describe('pods the kubelet failed', () => {
  it.each([
    ['Evicted', true],
    ['Terminated', true],
    ['NodeShutdown', true],
    ['OutOfcpu', true],
    ['DeadlineExceeded', true],
    [undefined, false],
  ])('phase Failed with reason %s is failed by the kubelet: %s', (reason, expected) => {
    expect(failedByKubelet({ status: { phase: 'Failed', ...(reason ? { reason } : {}) } })).toBe(expected);
  });

  it('never counts a running pod', () => {
    expect(failedByKubelet({ status: { phase: 'Running', reason: 'Evicted' } })).toBe(false);
  });
});

describe('an eviction threshold set far above the usual', () => {
  const low = (threshold: string, available: string) =>
    `The node was low on resource: ephemeral-storage. Threshold quantity: ${threshold}, available: ${available}. `;

  it('is named when the threshold is a large share of the node, with the figures', () => {
    const words = unusualThreshold(low('91083486412', '61245332Ki'), '98831908Ki', 'ephemeral-storage');
    expect(words).toContain("less than 84.8Gi (90% of the node's 94.3Gi) is free, and 58.4Gi was still free");
    expect(words).toContain('nodefs.available or imagefs.available');
    expect(unusualThreshold(low('8Gi', '7Gi'), '16Gi', 'memory')).toContain('memory.available');
  });

  it('is nothing for the defaults, a percentage or a message without figures', () => {
    expect(unusualThreshold(low('10120387993', '8421476Ki'), '98831908Ki', 'ephemeral-storage')).toBeNull();
    expect(unusualThreshold(low('100Mi', '91232Ki'), '32863508Ki', 'memory')).toBeNull();
    expect(unusualThreshold(low('10%', '8421476Ki'), '98831908Ki', 'ephemeral-storage')).toBeNull();
    expect(unusualThreshold('The node had condition: [DiskPressure]. ', '98831908Ki', 'ephemeral-storage')).toBeNull();
  });
});

/** The kubelet's eviction messages, parsed in one place: storage never reads as memory, memory never as storage. */
import { describe, expect, it } from 'vitest';
import { classifyEviction, isNodeMemoryEviction, isStorageEviction } from '../../src/diagnosis/eviction.js';
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

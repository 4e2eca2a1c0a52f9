import { describe, expect, it } from 'vitest';
import { deviceNotAdvertised, karpenterAdvice } from '../../src/diagnosis/node-supply.js';
import type { Node } from '../../src/kube/reader.js';

const node = (name: string, labels: Record<string, string>, gpus?: string) =>
  ({
    metadata: { name, labels },
    status: { capacity: { cpu: '8', ...(gpus ? { 'nvidia.com/gpu': gpus } : {}) } },
  }) as Node;

describe('why adding nodes is not the answer', () => {
  it('names GPU nodes that advertise no GPU, and only those', () => {
    const gpu = node('gpu-1', { 'nvidia.com/gpu.present': 'true' });
    expect(deviceNotAdvertised([gpu, node('cpu-1', {})], ['insufficient nvidia.com/gpu'])?.nodes).toBe('gpu-1');
    expect(deviceNotAdvertised([node('cpu-1', {})], ['insufficient nvidia.com/gpu'])).toBeNull();
    expect(
      deviceNotAdvertised([node('gpu-1', { 'nvidia.com/gpu.present': 'true' }, '4')], ['insufficient nvidia.com/gpu']),
    ).toBeNull();
    expect(deviceNotAdvertised([gpu], ['insufficient cpu'])).toBeNull();
  });

  it("reads each NodePool's refusal in Karpenter's event", () => {
    const advice = karpenterAdvice(
      'Failed to schedule pod, incompatible with nodepool "system", daemonset overhead={"cpu":"655m"}, did not tolerate CriticalAddonsOnly=true:NoSchedule; incompatible with nodepool "default", daemonset overhead={"cpu":"655m"}, no instance type satisfied resources {"cpu":"36655m"} and requirements karpenter.sh/capacity-type In [spot]',
    );
    expect(advice).toContain('system: did not tolerate CriticalAddonsOnly=true:NoSchedule');
    expect(advice).toContain('default: no instance type satisfied resources');
    expect(advice).not.toContain('Add nodes');
  });
});

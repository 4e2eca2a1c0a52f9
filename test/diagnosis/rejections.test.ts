import { describe, expect, it } from 'vitest';
import { kubeletRejection, rejectionWords } from '../../src/diagnosis/rejections.js';
import type { Pod } from '../../src/kube/reader.js';

function failed(reason: string, message: string, extra: Record<string, unknown> = {}): Pod {
  return {
    metadata: { name: 'proxy-6d8f7b9c5e-b2c4d', namespace: 'edge' },
    spec: { nodeName: 'worker-1', containers: [{ name: 'proxy' }], ...extra },
    status: { phase: 'Failed', reason, message },
  } as Pod;
}

describe("the kubelet's admission rejections", () => {
  it('reads OutOf<resource> with its resource, and strips the "Pod was rejected" prefix', () => {
    const r = kubeletRejection(
      failed(
        'OutOfcpu',
        "Pod was rejected: Node didn't have enough resource: cpu, requested: 2000, used: 7200, capacity: 7910",
      ),
    );
    expect(r?.resource).toBe('cpu');
    expect(r?.message).toBe("Node didn't have enough resource: cpu, requested: 2000, used: 7200, capacity: 7910");
    expect(kubeletRejection(failed('OutOfnvidia.com/gpu', 'Node did not have enough'))?.resource).toBe(
      'nvidia.com/gpu',
    );
  });

  it('is not an eviction, a shutdown, a deadline, a crash or a running pod', () => {
    expect(kubeletRejection(failed('Evicted', 'The node was low on resource: memory.'))).toBeNull();
    expect(
      kubeletRejection(failed('Terminated', 'Pod was terminated in response to imminent node shutdown.')),
    ).toBeNull();
    expect(kubeletRejection(failed('DeadlineExceeded', 'Pod was active on the node longer than specified'))).toBeNull();
    expect(kubeletRejection({ status: { phase: 'Failed' } } as Pod)).toBeNull();
    expect(kubeletRejection({ status: { phase: 'Running', reason: 'OutOfcpu' } } as Pod)).toBeNull();
  });

  it('tells a pinned pod (spec.nodeName in the template) from a scheduler/kubelet disagreement', () => {
    const r = kubeletRejection(failed('OutOfmemory', "Pod was rejected: Node didn't have enough resource: memory"));
    if (!r) throw new Error('no rejection');
    expect(rejectionWords(r, true)).toContain('sets spec.nodeName worker-1');
    expect(rejectionWords(r, true)).toContain('nodeSelector (kubernetes.io/hostname: worker-1)');
    expect(rejectionWords(r, false)).not.toContain('spec.nodeName');
    expect(rejectionWords(r, false)).toContain('the scheduler counted memory on worker-1');
  });

  it('names the refused sysctl, its value, and the host namespace it would change', () => {
    const sysctls = {
      securityContext: {
        sysctls: [
          { name: 'net.ipv4.ip_local_port_range', value: '1024 65000' },
          { name: 'net.core.somaxconn', value: '65535' },
        ],
      },
    };
    const unsafe = kubeletRejection(
      failed('SysctlForbidden', 'Pod was rejected: forbidden sysctl: "net.core.somaxconn" not allowlisted', sysctls),
    );
    if (!unsafe) throw new Error('no rejection');
    const words = rejectionWords(unsafe, false);
    expect(words).toContain('sets sysctl net.core.somaxconn (65535), which is not in the kubelet');
    expect(words).toContain('--allowed-unsafe-sysctls');
    expect(words).not.toContain('ip_local_port_range');
    const host = kubeletRejection(
      failed(
        'SysctlForbidden',
        'Pod was rejected: forbidden sysctl: "net.core.somaxconn" not allowed with host net enabled',
        { ...sysctls, hostNetwork: true },
      ),
    );
    if (!host) throw new Error('no rejection');
    expect(rejectionWords(host, false)).toContain("shares the host's net namespace (hostNetwork: true)");
    expect(rejectionWords(host, false)).not.toContain('--allowed-unsafe-sysctls');
  });
});

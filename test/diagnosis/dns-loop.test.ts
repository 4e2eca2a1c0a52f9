import { describe, expect, it } from 'vitest';
import { forwardingLoop } from '../../src/diagnosis/dns-loop.js';
import type { Pod } from '../../src/kube/reader.js';

const pod = (dnsPolicy?: string) =>
  ({
    metadata: { name: 'coredns-5d78c9869d-7xk2p' },
    spec: {
      nodeName: 'worker-1',
      ...(dnsPolicy ? { dnsPolicy } : {}),
      containers: [],
      volumes: [{ name: 'config-volume', configMap: { name: 'coredns' } }],
    },
  }) as unknown as Pod;

describe("CoreDNS's forwarding loop", () => {
  const today =
    '[FATAL] plugin/loop: Loop (127.0.0.1:44413 -> :53) detected for zone ".", see https://coredns.io/plugins/loop#troubleshooting. Query: "HINFO 5541217096536442469.3891728093735919512."';
  const before13 =
    'plugin/loop: Forwarding loop detected in "." zone. Exiting. See https://coredns.io/plugins/loop#troubleshooting. Probe query: "HINFO 5577006791947779410.8674665223082153551.".';

  it("reads both wordings and names the Corefile's ConfigMap and the node's resolv.conf", () => {
    for (const line of [today, before13]) {
      const words = forwardingLoop(pod('Default'), [line]);
      expect(words).toContain('the Corefile (ConfigMap coredns)');
      expect(words).toContain("dnsPolicy Default gives it node worker-1's resolv.conf");
      expect(words).toContain("kubelet's resolvConf");
    }
  });

  it('says where the resolv.conf comes from under another DNS policy, and ignores other lines', () => {
    expect(forwardingLoop(pod(), [today])).toContain('dnsPolicy ClusterFirst');
    expect(
      forwardingLoop(pod('Default'), ['[ERROR] plugin/errors: 2 example.com. A: read udp: i/o timeout']),
    ).toBeNull();
  });
});

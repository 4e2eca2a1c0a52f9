/**
 * CoreDNS halting on a forwarding loop (its loop plugin: "[FATAL] plugin/loop: Loop (127.0.0.1:44413 -> :53)
 * detected for zone ".", see https://coredns.io/plugins/loop#troubleshooting", before 1.3 "Forwarding loop
 * detected in "." zone. Exiting."). CoreDNS sends itself a probe query at start and exits on purpose when the
 * query comes back through its upstreams. In Kubernetes the usual cause, as the plugin's troubleshooting section
 * says: the Corefile forwards to /etc/resolv.conf, the pod (dnsPolicy Default) gets the node's resolv.conf from the
 * kubelet, and that file names a local stub resolver (systemd-resolved's 127.0.0.53) — inside the pod, CoreDNS
 * itself. Pure.
 */
import type { Pod } from '../kube/reader.js';

const LOOP = /plugin\/loop: (?:Loop \(([^)]*)\) detected|Forwarding loop detected)/i;

/** The reading when the log shows CoreDNS's loop detection; null otherwise. */
export function forwardingLoop(pod: Pod, logLines: readonly string[]): string | null {
  const line = logLines.find((l) => LOOP.test(l));
  if (!line) return null;
  const corefile = pod.spec?.volumes?.find((v) => v.configMap)?.configMap?.name;
  const where = corefile ? `the Corefile (ConfigMap ${corefile})` : 'the Corefile';
  const policy = pod.spec?.dnsPolicy ?? 'ClusterFirst';
  const inherits =
    policy === 'Default'
      ? `this pod's dnsPolicy Default gives it node ${pod.spec?.nodeName ?? '?'}'s resolv.conf from the kubelet`
      : `the pod's resolv.conf comes from its dnsPolicy ${policy}`;
  return `CoreDNS found a forwarding loop and halts on purpose (its loop plugin sent itself a probe query and got it back through its upstreams), so every restart, rollback or extra replica loops the same way. The usual cause: ${where} forwards to the servers in /etc/resolv.conf, ${inherits}, and that file names a local stub resolver such as systemd-resolved's 127.0.0.53 — inside the pod, CoreDNS itself. Point the kubelet's resolvConf (--resolv-conf) at a file that lists the real upstream servers (/run/systemd/resolve/resolv.conf with systemd-resolved) and restart the kubelets, or forward to the upstream servers' addresses in the Corefile; an upstream that forwards back to the cluster DNS loops the same way`;
}

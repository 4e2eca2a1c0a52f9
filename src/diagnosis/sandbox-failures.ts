/**
 * Why the kubelet cannot create a pod's sandbox (FailedCreatePodSandBox: "failed to setup network for sandbox …:
 * plugin type="…" failed (add): …"), from the CNI plugin's own words. The pod stays ContainerCreating and the
 * kubelet retries for ever; the fix is on the node or in the network, never in the pod's spec. Pure.
 */

/** A node without working CNI configuration: its network plugin's DaemonSet pod is not running or ready there. */
export const CNI_NOT_READY =
  /NetworkPluginNotReady|cni config uninitialized|cni plugin not initialized|no networks found in \/etc\/cni\/net\.d/i;

const READINGS: readonly { pattern: RegExp; words: (node: string, match: RegExpExecArray) => string }[] = [
  {
    // flannel and the bridge plugin: the node's cni0 bridge keeps the address of an earlier podCIDR.
    pattern: /"cni0" already has an IP address different from ([0-9./]+)/,
    words: (node, m) =>
      `the cni0 bridge on ${node} still has the address of an earlier pod network, not ${m[1]} (the node's podCIDR changed: it rejoined the cluster, or the network was reinstalled), so no pod there gets a network. Delete the stale bridge on the node (ip link delete cni0; the plugin recreates it) or reboot it`,
  },
  {
    // host-local IPAM (flannel, bridge, many others): every address of the node's range is handed out.
    pattern: /no IP addresses available in range set: ?([0-9.:-]+)?/,
    words: (node, m) =>
      `the CNI's address range on ${node}${m[1] ? ` (${m[1]})` : ''} has no free address: either that many pods run there, or addresses of deleted pods were never released (host-local keeps them as files in /var/lib/cni/networks/<network>/ on the node). Compare the files there with the pods running on the node and remove the leaked ones, or drain and reboot the node`,
  },
  {
    // Amazon VPC CNI: the node's ENIs have no secondary IP left, or the subnet has none.
    pattern: /failed to assign an IP address to container/,
    words: (node) =>
      `the Amazon VPC CNI on ${node} has no secondary IP address left to give: the node's ENIs are full (each instance type allows a fixed number) or its subnet is out of free addresses. Check the subnet's free IPs and the aws-node pod's log on the node; prefix delegation (ENABLE_PREFIX_DELEGATION) or a larger subnet raises the ceiling, and maxPods should match what the instance type can address`,
  },
  {
    // Calico's CNI plugin authenticates to the API server with a token calico-node writes on the node.
    pattern: /error getting ClusterInformation: connection is unauthorized|calico[^\n]*Unauthorized/i,
    words: (node) =>
      `Calico's CNI plugin on ${node} is refused by the API server (Unauthorized): the token calico-node writes for it on the node (/etc/cni/net.d/calico-kubeconfig) has expired or was not refreshed. Restart the calico-node pod on that node so it writes a fresh one`,
  },
  {
    // No CNI configuration on the node yet: its network DaemonSet pod is not running there.
    pattern: CNI_NOT_READY,
    words: (node) =>
      `${node} has no working CNI configuration: the network plugin's DaemonSet pod (Calico, Cilium, flannel, aws-node…) is not running or not ready there, so no pod on that node can get a network. Look at that DaemonSet's pod on the node`,
  },
  {
    pattern: /failed to find plugin "([^"]+)" in path/,
    words: (node, m) =>
      `${node} lacks the CNI binary ${m[1]} (in /opt/cni/bin) that its network configuration names: the plugin's installer (usually its DaemonSet's init container) did not put it there`,
  },
];

/** What a FailedCreatePodSandBox message means and what to do, or null when it is not one Medic knows. */
export function sandboxReading(message: string, node: string | undefined): string | null {
  const where = node ? `node ${node}` : 'the node';
  for (const { pattern, words } of READINGS) {
    const m = pattern.exec(message);
    if (m) return words(where, m);
  }
  return null;
}

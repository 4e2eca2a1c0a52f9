/**
 * calico-node kept unready because BIRD has no BGP session with its peers: the readiness probe
 * (`calico-node -bird-ready`) says "calico/node is not ready: BIRD is not ready: BGP not established with
 * 10.0.0.12,10.0.0.13". Calico peers with each node at the address it autodetected for it and wrote on the Node
 * (annotation projectcalico.org/IPv4Address); its default method, first-found, takes the first interface's address,
 * which on a node with a Docker bridge, a VPN or a second NIC is not the one the other nodes reach. When an
 * annotation disagrees with the node's own addresses, that node is named; when they all agree, the sessions
 * themselves (TCP 179 between nodes) are what fails.
 */
import type { Node } from '../kube/reader.js';
import type { Evidence } from '../types.js';
import type { PlaybookContext } from './playbook.js';
import { type ContainerView, listNames } from './pods.js';

const BGP_DOWN = /BIRD is not ready: BGP not established with ([0-9A-Fa-f.:,\s]+)/;
const CALICO_ADDRESS = 'projectcalico.org/IPv4Address';

interface Autodetected {
  node: string;
  calico: string;
  own: string[];
}

function autodetected(node: Node): Autodetected | null {
  const annotated = node.metadata?.annotations?.[CALICO_ADDRESS];
  if (!annotated) return null;
  return {
    node: node.metadata?.name ?? '?',
    calico: annotated.split('/')[0] ?? annotated,
    own: (node.status?.addresses ?? []).filter((a) => /IP$/.test(a.type)).map((a) => a.address),
  };
}

/** The BGP reading of a failing calico-node readiness probe: what the nodes' addresses say, or null. */
export async function bgpPeering(
  ctx: PlaybookContext,
  message: string | undefined,
  view: ContainerView,
): Promise<{ words: string; evidence: Evidence[] } | null> {
  const down = BGP_DOWN.exec(message ?? '');
  if (!down?.[1]) return null;
  const peers = down[1]
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  const nodes = (await ctx.read(ctx.reader.listNodes(), [])).map(autodetected).filter((a) => a !== null);
  const wrong = nodes.filter((a) => a.own.length > 0 && !a.own.includes(a.calico));
  const method = view.spec?.env?.find((e) => e.name === 'IP_AUTODETECTION_METHOD')?.value;
  const how = method ? `IP_AUTODETECTION_METHOD ${method}` : 'IP_AUTODETECTION_METHOD unset, so first-found';
  const evidence: Evidence[] = [
    {
      kind: 'status',
      text: `Calico's node addresses (${CALICO_ADDRESS}) against the nodes' own: ${listNames(
        nodes.map((a) => `${a.node} ${a.calico} (node ${a.own.join(', ') || 'no address'})`),
        6,
      )}; calico-node runs with ${how}`,
    },
  ];
  const said = `"BGP not established with ${peers.join(',')}"`;
  const who = `BIRD in calico-node${view.pod.spec?.nodeName ? ` on ${view.pod.spec.nodeName}` : ''}`;
  if (wrong.length === 0) {
    if (nodes.length === 0) return null;
    return {
      evidence,
      words: `${who} has no BGP session with ${listNames(peers, 4)} (${said}), though Calico's address for every node is the node's own: the sessions themselves fail, so check that TCP port 179 is open between the nodes (firewalls, security groups) and the peers' own calico-node`,
    };
  }
  const named = wrong.map((a) => `${a.calico} for node ${a.node}, whose own address is ${a.own.join(', ')}`);
  return {
    evidence,
    words: `${who} has no BGP session with ${listNames(peers, 4)} (${said}) because Calico autodetected ${listNames(named, 3)} (${how}): it took another interface's address${wrong.some((a) => a.calico.startsWith('172.17.')) ? " (172.17.x is Docker's bridge)" : ''}, so its peers dial an address that does not reach it. Set IP_AUTODETECTION_METHOD on the calico-node DaemonSet (kubernetes-internal-ip, interface=<name> or can-reach=<a peer>; with the Tigera operator, the Installation's nodeAddressAutodetectionV4); calico-node then re-detects and rewrites the annotation. Restarting it as it is picks the same address`,
  };
}

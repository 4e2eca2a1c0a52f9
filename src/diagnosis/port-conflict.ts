/**
 * A container that crashes because the port it listens on is taken. A pod's containers share one network namespace,
 * so a sidecar listening on the app's port makes the app's bind fail on every start ("listen tcp :8080: bind:
 * address already in use", Node's EADDRINUSE, nginx's "bind() to 0.0.0.0:80 failed (98: Address already in use)",
 * Spring Boot's "Port 8080 was already in use"); a pod on its node's network (hostNetwork) shares the node's ports.
 * Replacing the pod changes nothing: the manifest holds the conflict. Pure.
 */
import type { Pod } from '../kube/reader.js';

const IN_USE = /address already in use|EADDRINUSE|address in use|port \d+ (?:was|is) already in use/i;
const PORT_IN_LINE = [/\bport:? (\d{2,5})\b/i, /:(\d{2,5})\b(?![.\d])/];

export interface PortConflict {
  port: number | null;
  /** Evidence: which containers declare the port. */
  evidence: string | null;
  /** What is wrong and what to change. */
  words: string;
}

function portOf(line: string): number | null {
  for (const re of PORT_IN_LINE) {
    const m = re.exec(line);
    const port = m ? Number(m[1]) : Number.NaN;
    if (port > 0 && port < 65536) return port;
  }
  return null;
}

/** The containers of the pod that run beside each other: regular ones and native sidecars. */
function runningTogether(pod: Pod) {
  return [
    ...(pod.spec?.containers ?? []),
    ...(pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always'),
  ];
}

/** A bind failure in the container's log explained by the pod's manifest; null when the log shows none. */
export function portConflict(pod: Pod, container: string, logLines: readonly string[]): PortConflict | null {
  const line = logLines.find((l) => IN_USE.test(l));
  if (!line) return null;
  const all = runningTogether(pod);
  const own = all.find((c) => c.name === container);
  const declared = (c: (typeof all)[number]) => (c.ports ?? []).map((p) => p.containerPort);
  const port =
    portOf(line) ??
    (own ? declared(own).find((p) => all.some((c) => c !== own && declared(c).includes(p))) : undefined) ??
    null;
  const others = port === null ? [] : all.filter((c) => c.name !== container && declared(c).includes(port));
  if (others.length > 0) {
    const names = others.map((c) => c.name).join(', ');
    return {
      port,
      evidence: `Container${others.length > 1 ? 's' : ''} ${names} of the same pod also declare${others.length > 1 ? '' : 's'} containerPort ${port}`,
      words: `container ${names} of the same pod also declares port ${port}, and a pod's containers share one network namespace, so only one of them can listen on it: give one of them another port (or remove the duplicate); restarting or replacing the pod changes nothing`,
    };
  }
  const on = port === null ? 'its port' : `port ${port}`;
  if (pod.spec?.hostNetwork) {
    return {
      port,
      evidence: null,
      words: `the pod uses its node's network (hostNetwork: true), so a process or another hostNetwork pod on node ${pod.spec.nodeName ?? '?'} holds ${on}: find it there (\`ss -ltnp\` on the node), or move the pod's port`,
    };
  }
  if (all.length > 1) {
    return {
      port,
      evidence: null,
      words: `another container of the same pod (${all
        .filter((c) => c.name !== container)
        .map((c) => c.name)
        .join(', ')}) may listen on ${on} without declaring it, since a pod's containers share one network namespace`,
    };
  }
  return null;
}

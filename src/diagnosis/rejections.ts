/**
 * Pods the kubelet rejected at admission (the API server's admission refusals, which keep a pod from being created
 * at all, are admission.ts): it checks each pod bound to its node before starting it and fails the
 * ones it cannot run (kubelet.go rejectPod: phase Failed, `status.reason` the check's reason, `status.message`
 * "Pod was rejected: " + why, and a Warning event with the same reason). The pod never runs a container and is
 * never retried: its controller creates a replacement, which the same check rejects again when the cause is in the
 * template (a pinned node, a sysctl), so Failed pods pile up while the workload stays short.
 *
 * Reasons, from pkg/kubelet/lifecycle/predicate.go and the kubelet's admit handlers: `OutOf<resource>`
 * (OutOfcpu, OutOfmemory, OutOfpods, OutOfephemeral-storage, OutOfnvidia.com/gpu: "Node didn't have enough resource:
 * cpu, requested: 2000, used: 7200, capacity: 7910"), NodeAffinity, PodOSSelectorNodeLabelDoesNotMatch,
 * PodOSNotSupported, UnexpectedAdmissionError (a device or resource manager's refusal), SysctlForbidden
 * ("forbidden sysctl: \"net.core.somaxconn\" not allowlisted").
 */
import type { Pod, Workload } from '../kube/reader.js';
import { podName } from './pods.js';

const REJECTED = 'Pod was rejected: ';

/** Reasons the kubelet's admission gives besides OutOf<resource>, for pods whose message lost the prefix. */
const ADMISSION_REASONS = new Set([
  'NodeAffinity',
  'PodOSSelectorNodeLabelDoesNotMatch',
  'PodOSNotSupported',
  'UnexpectedAdmissionError',
  'SysctlForbidden',
]);

export interface Rejection {
  pod: Pod;
  /** The kubelet's reason: OutOfcpu, SysctlForbidden, … */
  reason: string;
  /** Why, without the "Pod was rejected: " prefix. */
  message: string;
  /** The resource the node lacked, for OutOf<resource>: cpu, memory, pods, ephemeral-storage, nvidia.com/gpu. */
  resource: string | null;
  node: string | null;
}

/** The kubelet's admission rejection of `pod`, or null for any other pod (evicted, shut down, crashed, running). */
export function kubeletRejection(pod: Pod): Rejection | null {
  const { phase, reason, message = '' } = pod.status ?? {};
  if (phase !== 'Failed' || !reason) return null;
  const resource = /^OutOf(.+)$/.exec(reason)?.[1] ?? null;
  if (!message.startsWith(REJECTED) && resource === null && !ADMISSION_REASONS.has(reason)) return null;
  return {
    pod,
    reason,
    message: message.replace(REJECTED, '').trim(),
    resource,
    node: pod.spec?.nodeName ?? null,
  };
}

/** The node the workload's own pod template names in spec.nodeName: its pods go there without the scheduler. */
export function templateNodeName(workload: Workload | null): string | null {
  return workload?.object.spec?.template?.spec?.nodeName ?? null;
}

/**
 * The kubelet's sysctl refusal (pkg/kubelet/sysctl: "forbidden sysctl: %q not allowlisted", or "%q not allowed with
 * host net|ipc enabled" for a namespaced sysctl in a pod sharing the host's namespace), with the value the pod sets.
 */
function sysctlWords(r: Rejection, node: string): string {
  const refused = /"([^"]+)" not (allowlisted|allowed with host (\w+) enabled)/.exec(r.message);
  const name = refused?.[1];
  const value = r.pod.spec?.securityContext?.sysctls?.find((s) => s.name === name)?.value;
  const set = name ? `sysctl ${name}${value !== undefined ? ` (${value})` : ''}` : 'a sysctl';
  if (refused?.[3])
    return `: the pod's securityContext sets ${set} while it shares the host's ${refused[3]} namespace (host${refused[3] === 'net' ? 'Network' : 'IPC'}: true), where that sysctl would change the node itself. Remove the sysctl or the host${refused[3] === 'net' ? 'Network' : 'IPC'} setting from the pod template; until then every new pod is rejected the same way`;
  return `: the pod's securityContext sets ${set}, which is not in the kubelet's safe set, and the kubelet on ${node} does not allow it (--allowed-unsafe-sysctls, allowedUnsafeSysctls in its config). Allow it on the nodes meant to run these pods (and keep the pods there with a nodeSelector), or remove it from the pod template; until then every new pod is rejected the same way`;
}

/** Why the kubelet's check failed and what to change, for the reasons whose cause is known; '' for the others. */
function causeWords(r: Rejection, pinned: boolean): string {
  const node = r.node ?? 'its node';
  if (r.resource && pinned)
    return `: the pod template sets spec.nodeName ${node}, which sends every pod straight to that node's kubelet, past the scheduler, and ${node} has not the ${r.resource} free, so each replacement is rejected the same way. Replace spec.nodeName with a nodeSelector (kubernetes.io/hostname: ${node}) so the scheduler keeps the pod Pending until there is room, free room on ${node}, or lower the requests`;
  if (r.resource)
    return `: the scheduler counted ${r.resource} on ${node} that the kubelet did not find free (pods the kubelet re-admitted after a restart, static pods the scheduler had not counted yet, a node whose allocatable shrank). The pod's controller, if any, starts a replacement; the Failed pod stays listed until it is deleted`;
  if (r.reason === 'SysctlForbidden') return sysctlWords(r, node);
  if (r.reason === 'NodeAffinity')
    return `: the labels of ${node} do not satisfy the pod's nodeSelector or required node affinity (the node's labels changed after the pod was placed there, or spec.nodeName names a node the selector excludes)`;
  if (r.reason === 'PodOSNotSupported' || r.reason === 'PodOSSelectorNodeLabelDoesNotMatch')
    return `: the pod's operating system (spec.os.name or its kubernetes.io/os selector) is not the one ${node} runs`;
  if (r.reason === 'UnexpectedAdmissionError')
    return `: a device or resource manager of the kubelet on ${node} could not give the pod what the scheduler had counted for it (a device plugin that re-registered after a kubelet restart reports devices the kubelet cannot allocate)`;
  return '';
}

/**
 * "pod x was rejected by the kubelet on node n at admission: OutOfcpu (Node didn't have enough …): …why and what to
 * change". `pinned`: the workload's template sets spec.nodeName (templateNodeName), so the scheduler never placed it.
 */
export function rejectionWords(r: Rejection, pinned: boolean): string {
  const where = r.node ? ` on node ${r.node}` : '';
  return `pod ${podName(r.pod)} was rejected by the kubelet${where} at admission and never started: ${r.reason}${r.message ? ` (${r.message})` : ''}${causeWords(r, pinned)}`;
}

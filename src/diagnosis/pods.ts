/** Small helpers over pod objects that several playbooks share; pure (blocked.ts reads what a blocked pod says). */
import type { SidecarRule } from '../config/settings.js';
import {
  type Container,
  type ContainerStatus,
  eventCount,
  type Job,
  type KubeEvent,
  type Pod,
  type Workload,
} from '../kube/reader.js';
import type { Evidence } from '../types.js';

export interface ContainerView {
  pod: Pod;
  spec: Container | undefined;
  status: ContainerStatus;
  /** An init container that keeps running beside the app (restartPolicy: Always). */
  isNativeSidecar: boolean;
  isInit: boolean;
}

/** Every container status of a pod (init containers first) with its spec. */
/**
 * The entries about the container the alert names (ResolvedTarget.container, set only when the alert's pods have
 * that container), or all of them when it names none. An alert about one container is never answered with another
 * container's state: a sibling's OOM kill does not explain a sidecar's image pull.
 */
export function ofNamedContainer<T>(items: T[], container: string | undefined, nameOf: (item: T) => string): T[] {
  return container === undefined ? items : items.filter((item) => nameOf(item) === container);
}

export function containersOf(pod: Pod): ContainerView[] {
  const views: ContainerView[] = [];
  for (const status of pod.status?.initContainerStatuses ?? []) {
    const spec = pod.spec?.initContainers?.find((c) => c.name === status.name);
    views.push({ pod, spec, status, isInit: true, isNativeSidecar: spec?.restartPolicy === 'Always' });
  }
  for (const status of pod.status?.containerStatuses ?? []) {
    const spec = pod.spec?.containers?.find((c) => c.name === status.name);
    views.push({ pod, spec, status, isInit: false, isNativeSidecar: false });
  }
  return views;
}

/** The OOMKilled termination of a container, current or last — matched on the reason, never exit code 137 alone. */
export function oomTermination(status: ContainerStatus) {
  if (status.state?.terminated?.reason === 'OOMKilled') return status.state.terminated;
  if (status.lastState?.terminated?.reason === 'OOMKilled') return status.lastState.terminated;
  return undefined;
}

/** The sidecar rule a container matches, by container name or by image repository. */
export function sidecarRuleFor(container: { name: string; image?: string }, rules: SidecarRule[]): SidecarRule | null {
  const repo = imageRepository(container.image ?? '');
  for (const rule of rules) {
    if (rule.names.includes(container.name)) return rule;
    if (rule.images.some((img) => repo === img || repo.endsWith(`/${img}`))) return rule;
  }
  return null;
}

/** `registry.example.com:5000/hashicorp/consul:1.15@sha256:…` → `registry.example.com:5000/hashicorp/consul`. */
export function imageRepository(image: string): string {
  const noDigest = image.split('@')[0] ?? '';
  const slash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  return colon > slash ? noDigest.slice(0, colon) : noDigest;
}

/**
 * The port number a probe or a Service's targetPort means: a number (or a numeric string) as it is, a name as the
 * containerPort that one of `containers` declares under it; null when the name is declared nowhere.
 */
export function portNumber(port: number | string | undefined, containers: readonly Container[]): number | null {
  if (typeof port === 'number') return port;
  if (port === undefined) return null;
  if (/^\d+$/.test(port)) return Number(port);
  for (const c of containers) {
    const named = c.ports?.find((p) => p.name === port)?.containerPort;
    if (named !== undefined) return named;
  }
  return null;
}

/** A container of the pod by name, among its containers and init containers. */
export function containerSpec(pod: Pod, name: string): Container | undefined {
  return [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].find((c) => c.name === name);
}

export function podName(pod: Pod): string {
  return pod.metadata?.name ?? '?';
}

export function podNamespace(pod: Pod): string {
  return pod.metadata?.namespace ?? 'default';
}

/** `Deployment/name` for the actions that patch a pod template; null for bare pods, Jobs and ReplicaSets. */
export function workloadRef(workload: Workload | null): string | null {
  if (!workload) return null;
  if (workload.kind === 'Deployment' || workload.kind === 'StatefulSet' || workload.kind === 'DaemonSet') {
    return `${workload.kind}/${workload.name}`;
  }
  return null;
}

/**
 * A pod the kubelet failed, not its containers: phase Failed with a `status.reason` — Evicted, Terminated or Shutdown
 * (graceful node shutdown, spot preemption), an admission rejection (OutOfcpu, NodeAffinity, UnexpectedAdmissionError)
 * or DeadlineExceeded (activeDeadlineSeconds). A pod whose own container exited non-zero under restartPolicy Never is
 * Failed with no reason. Its containers' terminations (often exit 137, ContainerStatusUnknown) are no crash.
 */
export function failedByKubelet(pod: Pod): boolean {
  return pod.status?.phase === 'Failed' && !!pod.status.reason;
}

/** The CronJob that started a Job, from its owner reference. */
export function cronJobOf(job: Job): string | undefined {
  return job.metadata?.ownerReferences?.find((r) => r.kind === 'CronJob')?.name;
}

/**
 * Where to raise a limit when there is no Deployment, StatefulSet or DaemonSet template to patch: a Job's pod template
 * cannot be changed once created (its CronJob's jobTemplate can, for the next run); a bare pod's is its manifest.
 */
export function unpatchableLimitWords(
  workload: Workload | null,
  container: string,
  resource: 'memory' | 'CPU',
  limit: string | null,
): { advice: string; headline: string } {
  const to = limit ? ` to ${limit}` : '';
  if (workload?.kind === 'Job') {
    const cron = cronJobOf(workload.object as Job);
    if (cron) {
      return {
        advice: `Job ${workload.name} was started by CronJob ${cron}, and a Job's pod template cannot be changed once it exists: raise ${container}'s ${resource} limit${to} in the CronJob's jobTemplate; its next run uses it.`,
        headline: `Raise the ${resource} limit${to} in CronJob ${cron}'s jobTemplate; its next run uses it.`,
      };
    }
    return {
      advice: `A Job's pod template cannot be changed once it exists: raise ${container}'s ${resource} limit${to} in the manifest Job ${workload.name} was created from, then create it again.`,
      headline: `Raise the ${resource} limit${to} in the Job's manifest and create it again.`,
    };
  }
  return {
    advice: `The pod has no Deployment, StatefulSet or DaemonSet to patch: raise the ${resource} limit${to} where the pod is defined.`,
    headline: `Raise the ${resource} limit${to} where the pod is defined.`,
  };
}

export function isoTime(value: Date | string | undefined | null): string {
  if (!value) return 'unknown time';
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? String(value) : d.toISOString().replace('.000Z', 'Z');
}

/** "10 days", "7 hours": how long, for people. */
export function durationWords(ms: number): string {
  const hours = Math.round(ms / 3600_000);
  return hours >= 48 ? `${Math.round(hours / 24)} days` : `${hours} hours`;
}

/** The scheduler's message for an unscheduled pod: its PodScheduled condition, else its latest FailedScheduling event. */
export function schedulingMessage(pod: Pod, events: KubeEvent[]): string | null {
  const condition = pod.status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False');
  if (condition?.message) return condition.message;
  const event = events.filter((e) => e.reason === 'FailedScheduling').at(-1);
  return event?.message ?? null;
}

export function eventEvidence(event: KubeEvent): Evidence {
  const times = eventCount(event);
  const count = times > 1 ? ` (×${times})` : '';
  const who = `${event.involvedObject?.kind ?? ''} ${event.involvedObject?.name ?? ''}`.trim();
  return {
    kind: 'event',
    text: `${event.type ?? 'Normal'} ${event.reason ?? ''} on ${who}${count}: ${(event.message ?? '').trim()}`,
  };
}

/** Words with their first letter capitalised: a reading written to follow a colon, shown on its own. */
export const capitalized = (words: string) => `${words.charAt(0).toUpperCase()}${words.slice(1)}`;

/** A reading as a sentence of a summary: capitalised, with its full stop. */
export const sentence = (words: string) => `${capitalized(words)}.`;

/** A container's command and args as one line (what the runtime runs, the image's entrypoint aside). */
export const commandLine = (container: Container | undefined) =>
  [...(container?.command ?? []), ...(container?.args ?? [])].join(' ').trim();

/** Pods of a list, named briefly: "a, b and 3 more". */
export function listNames(names: string[], max = 5): string {
  if (names.length <= max) return names.join(', ');
  return `${names.slice(0, max).join(', ')} and ${names.length - max} more`;
}

export function isPodReady(pod: Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** The PersistentVolumeClaims a pod mounts, by name. */
export function claimsOf(pod: Pod): string[] {
  return (pod.spec?.volumes ?? []).flatMap((v) =>
    v.persistentVolumeClaim?.claimName ? [v.persistentVolumeClaim.claimName] : [],
  );
}

/** The labels naming a pod's revision: a Deployment's pod-template-hash, a StatefulSet's or DaemonSet's controller-revision-hash. */
const REVISION_LABELS = ['pod-template-hash', 'controller-revision-hash'] as const;

/** The revision a pod was made from (label and value), so pods of one template can be told from another's. */
export function podRevision(pod: Pod): { label: string; value: string } | undefined {
  for (const label of REVISION_LABELS) {
    const value = pod.metadata?.labels?.[label];
    if (value) return { label, value };
  }
  return undefined;
}

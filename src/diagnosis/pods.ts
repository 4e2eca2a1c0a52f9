/** Small helpers over pod objects that several playbooks share: pure, but for findBlockedPod, which reads events. */
import type { SidecarRule } from '../config/settings.js';
import type { Container, ContainerStatus, Job, KubeEvent, Pod, Workload } from '../kube/reader.js';
import type { Evidence } from '../types.js';
import { alertStartMs, type PlaybookContext } from './playbook.js';

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

/** The scheduler's message for an unscheduled pod: its PodScheduled condition, else its latest FailedScheduling event. */
export function schedulingMessage(pod: Pod, events: KubeEvent[]): string | null {
  const condition = pod.status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False');
  if (condition?.message) return condition.message;
  const event = events.filter((e) => e.reason === 'FailedScheduling').at(-1);
  return event?.message ?? null;
}

export function eventEvidence(event: KubeEvent): Evidence {
  const count = event.count && event.count > 1 ? ` (×${event.count})` : '';
  const who = `${event.involvedObject?.kind ?? ''} ${event.involvedObject?.name ?? ''}`.trim();
  return {
    kind: 'event',
    text: `${event.type ?? 'Normal'} ${event.reason ?? ''} on ${who}${count}: ${(event.message ?? '').trim()}`,
  };
}

/** Pods of a list, named briefly: "a, b and 3 more". */
export function listNames(names: string[], max = 5): string {
  if (names.length <= max) return names.join(', ');
  return `${names.slice(0, max).join(', ')} and ${names.length - max} more`;
}

export function isPodReady(pod: Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** Waiting reasons of a container on its way up: not (yet) a failure. */
const STARTING = new Set(['ContainerCreating', 'PodInitializing']);

/** Why a pod cannot run, in the words of whoever said so; `who` is that component. */
export interface Blocked {
  pod: Pod;
  who: 'kubelet' | 'scheduler' | 'init container';
  /** "container api of pod x cannot start: CreateContainerConfigError (…)", "pod x cannot be scheduled: 0/3 …". */
  text: string;
}

/**
 * Why `pod` cannot run: its first container stuck before it can run (waiting for a reason other than being created:
 * CreateContainerConfigError, CreateContainerError, CrashLoopBackOff, an image error, …), or the scheduler's refusal
 * (PodScheduled False, Unschedulable). Null for a pod running or on its way up. A pod blocked so fails for a reason
 * of its own, whatever its workload's manifest says.
 */
export function blockedPod(pod: Pod): Blocked | null {
  for (const v of containersOf(pod)) {
    const waiting = v.status.state?.waiting;
    if (waiting?.reason === undefined || STARTING.has(waiting.reason)) continue;
    const message = waiting.message ? ` (${waiting.message.trim()})` : '';
    const text = `container ${v.status.name} of pod ${podName(pod)} cannot start: ${waiting.reason}${message}`;
    return { pod, who: 'kubelet', text };
  }
  const scheduled = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
  if (scheduled?.status === 'False' && scheduled.reason === 'Unschedulable') {
    const why = scheduled.message?.trim().replace(/\.$/, '') ?? 'Unschedulable';
    return { pod, who: 'scheduler', text: `pod ${podName(pod)} cannot be scheduled: ${why}` };
  }
  return null;
}

/** How many starting pods' events are read to tell a slow start from a stuck one. */
const STARTING_PODS_READ = 3;

/** A pod the scheduler placed whose containers are still being created (no container has run yet). */
function isStarting(pod: Pod): boolean {
  if (pod.status?.phase !== 'Pending' || !pod.spec?.nodeName) return false;
  const waiting = containersOf(pod)
    .filter((v) => !v.isInit)
    .map((v) => v.status.state?.waiting?.reason);
  return waiting.length === 0 || waiting.every((r) => r !== undefined && STARTING.has(r));
}

/** How long an init container may run before the alert started and still be a slow start rather than a stuck one. */
const INIT_STUCK_MS = 5 * 60_000;

/**
 * An init container (not a native sidecar, which runs for the pod's life) still running long before the alert
 * started: the pod waits in Init for something that does not come (a database, a migration lock, a file).
 */
function stuckInInit(pod: Pod, startMs: number): ContainerView | null {
  if (pod.status?.phase !== 'Pending') return null;
  for (const v of containersOf(pod)) {
    if (!v.isInit || v.isNativeSidecar) continue;
    const started = v.status.state?.running?.startedAt;
    if (started && Date.parse(started) < startMs - INIT_STUCK_MS) return v;
  }
  return null;
}

/**
 * The first pod of `pods` that cannot run: blockedPod's verdict, a pod stuck in an init container that does not
 * finish (waiting for a dependency), or a pod still being created whose kubelet warned
 * about it — a sandbox it cannot set up (the CNI out of IP addresses), a volume it cannot mount. The kubelet keeps
 * such a pod ContainerCreating and retries for ever; only its events say why.
 */
export async function findBlockedPod(ctx: PlaybookContext, pods: Pod[]): Promise<Blocked | null> {
  for (const pod of pods) {
    const blocked = blockedPod(pod);
    if (blocked) return blocked;
  }
  const stuck = pods.map((pod) => stuckInInit(pod, alertStartMs(ctx))).find((v) => v !== null);
  if (stuck) {
    const namespace = stuck.pod.metadata?.namespace ?? 'default';
    const log = await ctx.read(
      ctx.reader.logs(namespace, podName(stuck.pod), stuck.status.name, { tailLines: 20 }),
      null,
    );
    const last = (log ?? '')
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .at(-1);
    const since = stuck.status.state?.running?.startedAt;
    const text = `pod ${podName(stuck.pod)} is stuck in its init container ${stuck.status.name}, running since ${isoTime(since)} without finishing, so the pod's containers never start${last ? `; its log says: ${last}` : ''}`;
    return { pod: stuck.pod, who: 'init container', text };
  }
  for (const pod of pods.filter(isStarting).slice(0, STARTING_PODS_READ)) {
    const events = await ctx.read(ctx.reader.eventsFor(pod.metadata?.namespace, 'Pod', podName(pod)), []);
    // FailedScheduling is the scheduler's, from before this pod had its node.
    const warning = events.filter((e) => e.type === 'Warning' && e.reason !== 'FailedScheduling').at(-1);
    if (!warning) continue;
    const waiting = containersOf(pod).find((v) => v.status.state?.waiting)?.status.state?.waiting?.reason;
    const text = `pod ${podName(pod)} is stuck ${waiting ? `in ${waiting}` : 'starting'}: ${warning.reason ?? 'Warning'} (${(warning.message ?? '').trim()})`;
    return { pod, who: 'kubelet', text };
  }
  return null;
}

/**
 * What holds a workload's rollout, for a diagnosis that found the fix already in its template but not in its pods:
 * the first of its pods that cannot run (the new pod Pending for memory, an image it cannot pull), or null.
 */
export async function rolloutHold(ctx: PlaybookContext, workload: Workload): Promise<Evidence | null> {
  const blocked = await findBlockedPod(ctx, await ctx.read(ctx.reader.podsOf(workload), []));
  return blocked ? { kind: 'status', text: `What holds the rollout: ${blocked.text}` } : null;
}

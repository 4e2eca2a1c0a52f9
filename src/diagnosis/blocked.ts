/**
 * Why a pod cannot run, in the words of whoever said so: a container stuck before it can run, the scheduler's
 * refusal, an init container that never finishes, or a kubelet warning about a pod left being created; or, when no
 * event is left to say it, that a pod has been starting, or not ready under its readiness probe, for too long. Playbooks
 * whose fix would leave such a pod blocked step aside for it; UNKNOWN quotes it.
 */

import { eventTime, type KubeEvent, type Pod, type Workload } from '../kube/reader.js';
import type { Evidence } from '../types.js';
import { tellingLogLines } from './logs.js';
import { alertStartMs, type PlaybookContext, tooOldToExplain } from './playbook.js';
import { type ContainerView, containerSpec, containersOf, isoTime, isPodReady, podName } from './pods.js';
import { probeAction, probeOf } from './probes.js';
import { kubeletRejection, rejectionWords, templateNodeName } from './rejections.js';
import { sandboxReading } from './sandbox-failures.js';
import { createErrorReading } from './start-failures.js';

/** Waiting reasons of a container on its way up: not (yet) a failure. */
const STARTING = new Set(['ContainerCreating', 'PodInitializing']);

/** Why a pod cannot run, in the words of whoever said so; `who` is that component. */
export interface Blocked {
  pod: Pod;
  who: 'kubelet' | 'scheduler' | 'init container';
  /** "container api of pod x cannot start: CreateContainerConfigError (…)", "pod x cannot be scheduled: 0/3 …". */
  text: string;
  /** The text says what the message means and what to do, beyond the component's own message. */
  explained: boolean;
}

/**
 * Why `pod` cannot run: its first container stuck before it can run (waiting for a reason other than being created:
 * CreateContainerConfigError, CreateContainerError, CrashLoopBackOff, an image error, …), the scheduler's refusal
 * (PodScheduled False, Unschedulable), or the kubelet's rejection at admission (rejections.ts; `workload` tells
 * whether its template pins the node). Null for a pod running or on its way up. A pod blocked so fails for a reason
 * of its own, whatever its workload's manifest says.
 */
export function blockedPod(pod: Pod, workload: Workload | null = null): Blocked | null {
  const rejection = kubeletRejection(pod);
  if (rejection) {
    const pinned = rejection.node !== null && templateNodeName(workload) === rejection.node;
    return { pod, who: 'kubelet', text: rejectionWords(rejection, pinned), explained: true };
  }
  for (const v of containersOf(pod)) {
    const waiting = v.status.state?.waiting;
    if (waiting?.reason === undefined || STARTING.has(waiting.reason)) continue;
    const message = waiting.message ? ` (${waiting.message.trim()})` : '';
    const meaning = /^(CreateContainer|RunContainer)/.test(waiting.reason)
      ? createErrorReading(waiting.message, pod.spec?.nodeName)
      : null;
    const text = `container ${v.status.name} of pod ${podName(pod)} cannot start: ${waiting.reason}${message}${meaning ? `: ${meaning}` : ''}`;
    return { pod, who: 'kubelet', text, explained: meaning !== null };
  }
  const scheduled = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
  if (scheduled?.status === 'False' && scheduled.reason === 'Unschedulable') {
    const why = scheduled.message?.trim().replace(/\.$/, '') ?? 'Unschedulable';
    return { pod, who: 'scheduler', text: `pod ${podName(pod)} cannot be scheduled: ${why}`, explained: false };
  }
  return null;
}

/** How many starting pods' events are read to tell a slow start from a stuck one. */
const STARTING_PODS_READ = 3;

function createdAt(pod: Pod): Date | undefined {
  const at = pod.metadata?.creationTimestamp;
  return at ? new Date(at) : undefined;
}

/** A pod the scheduler placed whose containers are still being created (no container has run yet). */
function isStarting(pod: Pod): boolean {
  if (pod.status?.phase !== 'Pending' || !pod.spec?.nodeName) return false;
  const waiting = containersOf(pod)
    .filter((v) => !v.isInit)
    .map((v) => v.status.state?.waiting?.reason);
  return waiting.length === 0 || waiting.every((r) => r !== undefined && STARTING.has(r));
}

/** How long an image pull may run before the alert started and still be a slow start rather than a stuck one. */
const PULL_STUCK_MS = 10 * 60_000;

/**
 * A pod whose kubelet started pulling an image long before the alert and never said it finished or failed (its
 * last Pulling event has no Pulled after it): a very large image or a slow way to the registry. The words, or null.
 */
function slowPull(pod: Pod, events: KubeEvent[], startMs: number): string | null {
  const pulling = events.filter((e) => e.reason === 'Pulling').at(-1);
  if (!pulling) return null;
  const since = eventTime(pulling);
  if (events.some((e) => (e.reason === 'Pulled' || e.reason === 'Failed') && eventTime(e) >= since)) return null;
  if (!since || since > startMs - PULL_STUCK_MS) return null;
  const image = /Pulling image "([^"]+)"/.exec(pulling.message ?? '')?.[1] ?? 'its image';
  const minutes = Math.round((startMs - since) / 60_000);
  return `pod ${podName(pod)} is still pulling image ${image}, started ${isoTime(new Date(since))} (${minutes} minutes before the alert) and has not finished, with no error: so the image is very large or the way from node ${pod.spec?.nodeName ?? '?'} to its registry is slow. Let it finish (deleting the pod starts the pull over, elsewhere perhaps), pre-pull the image onto the nodes (a DaemonSet) or pull it through a registry mirror near them, and make the image smaller`;
}

/** How long an init container may run before the alert started and still be a slow start rather than a stuck one. */
const INIT_STUCK_MS = 5 * 60_000;

/**
 * How long before the alert a pod may have been created and still be starting, or a container started and still
 * not be ready, and be a slow start rather than a stuck one.
 */
const START_STUCK_MS = 10 * 60_000;

/** Events expire an hour after their last repeat (the API server's --event-ttl): what that leaves a reader. */
const NO_WORD = 'and no event left says why (events expire an hour after their last repeat)';

/**
 * A pod still being created long before the alert whose events say nothing about it: stuck, for a reason only the
 * kubelet's log on its node still holds. The words, or null.
 */
function silentlyStarting(pod: Pod, startMs: number): string | null {
  const created = createdAt(pod)?.getTime();
  if (!created || created >= startMs - START_STUCK_MS) return null;
  const waiting = containersOf(pod).find((v) => v.status.state?.waiting)?.status.state?.waiting?.reason;
  return `pod ${podName(pod)} has been ${waiting ?? 'starting'} since ${isoTime(createdAt(pod))} on node ${pod.spec?.nodeName} (${Math.round((startMs - created) / 60_000)} minutes before the alert), ${NO_WORD}: the kubelet's log there does (journalctl -u kubelet), as do the events of the next pod that tries`;
}

/**
 * A pod not ready whose container with a readiness probe has run since long before the alert without becoming ready:
 * the probe keeps failing. The words, or null. Only for a pod with no event left (with its events, the probe playbook
 * has had its say).
 */
function neverReady(pod: Pod, startMs: number): string | null {
  if (pod.status?.phase !== 'Running' || isPodReady(pod)) return null;
  for (const v of containersOf(pod)) {
    const since = v.status.state?.running?.startedAt;
    if (v.isInit || v.status.ready !== false || !since || Date.parse(since) >= startMs - START_STUCK_MS) continue;
    // Without a readiness probe a running container is ready: only a probe holds it back so long.
    const probe = probeOf(containerSpec(pod, v.status.name), 'readiness');
    if (!probe) continue;
    return `container ${v.status.name} of pod ${podName(pod)} has run since ${isoTime(since)} without becoming ready: its readiness probe (${probeAction(probe)}) keeps failing, ${NO_WORD}; make the probe's request from inside the pod (kubectl exec) to see what it answers`;
  }
  return null;
}

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
 * about it — a sandbox it cannot set up (the CNI out of IP addresses: sandbox-failures.ts says what the CNI's words
 * mean), a volume it cannot mount. The kubelet keeps such a pod ContainerCreating and retries for ever; only its
 * events say why.
 */
export async function findBlockedPod(
  ctx: PlaybookContext,
  pods: Pod[],
  workload: Workload | null = ctx.target?.workload ?? null,
): Promise<Blocked | null> {
  const startMs = alertStartMs(ctx);
  // A rejected pod stays listed, Failed, long after its replacement runs: only a recent one (or the alert's own pod)
  // still blocks anything.
  const named = ctx.target?.kind === 'Pod' ? ctx.target.name : undefined;
  const history = (pod: Pod) =>
    podName(pod) !== named && kubeletRejection(pod) !== null && tooOldToExplain(createdAt(pod), startMs);
  for (const pod of pods) {
    const blocked = history(pod) ? null : blockedPod(pod, workload);
    if (blocked) return blocked;
  }
  const stuck = pods.map((pod) => stuckInInit(pod, startMs)).find((v) => v !== null);
  if (stuck) {
    const [last] = await tellingLogLines(ctx, stuck, { current: true, maxLines: 1 });
    const since = stuck.status.state?.running?.startedAt;
    const text = `pod ${podName(stuck.pod)} is stuck in its init container ${stuck.status.name}, running since ${isoTime(since)} without finishing, so the pod's containers never start${last ? `; its log says: ${last}` : ''}`;
    return { pod: stuck.pod, who: 'init container', text, explained: false };
  }
  let silent: Blocked | null = null;
  for (const pod of pods.filter(isStarting).slice(0, STARTING_PODS_READ)) {
    const events = await ctx.read(ctx.reader.eventsFor(pod.metadata?.namespace, 'Pod', podName(pod)), []);
    // FailedScheduling is the scheduler's, from before this pod had its node.
    const warning = events.filter((e) => e.type === 'Warning' && e.reason !== 'FailedScheduling').at(-1);
    const pulling = warning ? null : slowPull(pod, events, startMs);
    if (pulling) return { pod, who: 'kubelet', text: pulling, explained: true };
    if (!warning) {
      const stuck = silentlyStarting(pod, startMs);
      silent ??= stuck ? { pod, who: 'kubelet', text: stuck, explained: true } : null;
      continue;
    }
    const waiting = containersOf(pod).find((v) => v.status.state?.waiting)?.status.state?.waiting?.reason;
    const meaning = sandboxReading(warning.message ?? '', pod.spec?.nodeName);
    const text = `pod ${podName(pod)} is stuck ${waiting ? `in ${waiting}` : 'starting'}: ${warning.reason ?? 'Warning'} (${(warning.message ?? '').trim()})${meaning ? `: ${meaning}` : ''}`;
    return { pod, who: 'kubelet', text, explained: meaning !== null };
  }
  if (silent) return silent;
  for (const pod of pods) {
    const text = neverReady(pod, startMs);
    if (!text) continue;
    const events = await ctx.read(ctx.reader.eventsFor(pod.metadata?.namespace, 'Pod', podName(pod)), []);
    return events.length === 0 ? { pod, who: 'kubelet', text, explained: true } : null;
  }
  return null;
}

/**
 * What holds a workload's rollout, for a diagnosis that found the fix already in its template but not in its pods:
 * the first of its pods that cannot run (the new pod Pending for memory, an image it cannot pull), or null.
 */
export async function rolloutHold(ctx: PlaybookContext, workload: Workload): Promise<Evidence | null> {
  const blocked = await findBlockedPod(ctx, await ctx.read(ctx.reader.podsOf(workload), []), workload);
  return blocked ? { kind: 'status', text: `What holds the rollout: ${blocked.text}` } : null;
}

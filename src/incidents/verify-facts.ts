/**
 * The state of an action's target since the change finished, read for the check after it (verify.ts): what a
 * person would look at to say whether the fix took — the rollout done, replicas available, pods Ready, no
 * container killed or restarted since the change, the HPA below its maximum. A playbook's evidence may describe
 * the past (an OOM kill hours ago is still in `lastState`); these facts are only about the time after the change.
 */
import { readHpa } from '../diagnosis/hpa.js';
import { containersOf, isoTime, isPodReady, listNames, podName } from '../diagnosis/pods.js';
import { errorMessage } from '../errors.js';
import type { ClusterReader, ContainerStatus, Pod, Workload, WorkloadKind } from '../kube/reader.js';
import type { Evidence, Target } from '../types.js';

export interface TargetFacts {
  /** Something wrong since the change (each a person-readable line). */
  problems: Evidence[];
  /** What was checked and found well (shown when the fix worked). */
  healthy: Evidence[];
  /** The pods of the target's workload now: those with a problem first, then the newest. */
  pods: string[];
  /** Why the target's state could not be read; the check must not conclude anything then. */
  unreadable?: string;
}

type TemplateWorkloadKind = Extract<WorkloadKind, 'Deployment' | 'StatefulSet' | 'DaemonSet'>;
const TEMPLATE_WORKLOADS: ReadonlySet<string> = new Set(['Deployment', 'StatefulSet', 'DaemonSet']);
const isTemplateWorkload = (kind: string): kind is TemplateWorkloadKind => TEMPLATE_WORKLOADS.has(kind);

/** The workload an action's target runs as: the target's own workload, or the target when it is one. */
export function workloadOfTarget(
  target: Target | null | undefined,
): { kind: TemplateWorkloadKind; name: string } | null {
  if (!target) return null;
  const { workload } = target;
  if (workload && isTemplateWorkload(workload.kind)) return { kind: workload.kind, name: workload.name };
  return isTemplateWorkload(target.kind) ? { kind: target.kind, name: target.name } : null;
}

const time = (value: Date | string | undefined) => (value ? new Date(value).getTime() : Number.NaN);

/** What went wrong in one container since `since`: a termination after it, a restart of a new pod, a wait. */
function containerProblems(pod: Pod, status: ContainerStatus, since: number): string[] {
  const name = `${status.name} in pod ${podName(pod)}`;
  const out: string[] = [];
  for (const term of [status.state?.terminated, status.lastState?.terminated]) {
    if (term && time(term.finishedAt) >= since) {
      out.push(
        `${name} was terminated (${term.reason ?? `exit code ${term.exitCode}`}) at ${isoTime(term.finishedAt)}, after the change`,
      );
    }
  }
  const podStart = time(pod.metadata?.creationTimestamp);
  if (out.length === 0 && (status.restartCount ?? 0) > 0 && podStart >= since) {
    out.push(`${name} restarted ${status.restartCount} time(s) since the pod started after the change`);
  }
  const waiting = status.state?.waiting?.reason;
  if (waiting && waiting !== 'ContainerCreating' && waiting !== 'PodInitializing') out.push(`${name} is ${waiting}`);
  return out;
}

function replicaProblems(workload: Workload): { problems: string[]; desired: number } {
  const object = workload.object as {
    metadata?: { generation?: number };
    spec?: { replicas?: number };
    status?: Record<string, number | undefined>;
  };
  const s = object.status ?? {};
  const problems: string[] = [];
  const label = `${workload.kind} ${workload.name}`;
  if (workload.kind === 'DaemonSet') {
    const desired = s.desiredNumberScheduled ?? 0;
    if ((s.numberAvailable ?? 0) < desired)
      problems.push(`${label}: ${s.numberAvailable ?? 0} of ${desired} pods available`);
    return { problems, desired };
  }
  const desired = object.spec?.replicas ?? 1;
  if ((s.observedGeneration ?? 0) < (object.metadata?.generation ?? 0)) {
    problems.push(
      `${label}: the controller has not acted on the change yet (generation ${object.metadata?.generation}, observed ${s.observedGeneration ?? 0})`,
    );
  }
  if ((s.updatedReplicas ?? 0) < desired)
    problems.push(`${label}: the rollout is not finished (${s.updatedReplicas ?? 0} of ${desired} pods updated)`);
  if ((s.availableReplicas ?? 0) < desired)
    problems.push(`${label}: ${s.availableReplicas ?? 0} of ${desired} replicas available`);
  return { problems, desired };
}

/** Reads the target's workload, its pods and its HPA; a target that is no workload (a node, a volume) has no facts. */
export async function readTargetFacts(
  reader: ClusterReader,
  target: Target | null | undefined,
  changedAt: number,
): Promise<TargetFacts> {
  // Kubernetes writes times to the second: a kill in the second the change finished counts as after it.
  const since = Math.floor(changedAt / 1000) * 1000;
  const ref = workloadOfTarget(target);
  const namespace = target?.namespace ?? 'default';
  const facts: TargetFacts = { problems: [], healthy: [], pods: [] };
  if (!ref) return facts;
  try {
    const workload = await reader.getWorkload(namespace, ref.kind, ref.name);
    if (!workload) {
      facts.problems.push({ kind: 'status', text: `${ref.kind} ${namespace}/${ref.name} no longer exists` });
      return facts;
    }
    const replicas = replicaProblems(workload);
    facts.problems.push(...replicas.problems.map((text) => ({ kind: 'status' as const, text })));
    const pods = (await reader.podsOf(workload)).filter((p) => !p.metadata?.deletionTimestamp);
    const unwell: string[] = [];
    for (const pod of pods) {
      const lines = containersOf(pod).flatMap((view) => containerProblems(pod, view.status, since));
      if (lines.length === 0 && !isPodReady(pod))
        lines.push(`pod ${podName(pod)} is not Ready (${pod.status?.phase ?? 'no status'})`);
      if (lines.length > 0) unwell.push(podName(pod));
      facts.problems.push(...lines.map((text) => ({ kind: 'status' as const, text })));
    }
    const newest = [...pods].sort((a, b) => time(b.metadata?.creationTimestamp) - time(a.metadata?.creationTimestamp));
    facts.pods = [...new Set([...unwell, ...newest.map(podName)])];
    const hpa = await reader.hpaFor(namespace, ref.kind, ref.name);
    const state = hpa ? readHpa(hpa) : null;
    if (state?.limited && state.current !== null && state.current >= state.max) {
      facts.problems.push({
        kind: 'status',
        text: `HPA ${state.name} is still at its maximum of ${state.max} replicas (${state.limited.reason})`,
      });
    }
    if (facts.problems.length === 0) {
      const ready = pods.filter(isPodReady).map(podName);
      facts.healthy.push({
        kind: 'status',
        text: `${ref.kind} ${ref.name}: ${replicas.desired} of ${replicas.desired} replicas available; pod(s) ${listNames(ready, 3) || 'none'} Ready, with no container killed or restarted since the change`,
      });
      if (state)
        facts.healthy.push({
          kind: 'status',
          text: `HPA ${state.name}: ${state.current ?? '?'} of at most ${state.max} replicas`,
        });
    }
  } catch (error) {
    return {
      problems: [],
      healthy: [],
      pods: [],
      unreadable: `could not read ${ref.kind} ${namespace}/${ref.name}: ${errorMessage(error)}`,
    };
  }
  return facts;
}

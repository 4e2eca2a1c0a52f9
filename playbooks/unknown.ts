/**
 * UNKNOWN: the fallback when no playbook could decide; lists the status and events that were found, and asks each
 * finder in turn for a finding no root-cause code names (pods a finalizer keeps Terminating, DaemonSet pods left on
 * nodes tainted since (misscheduled), more replicas than
 * their anti-affinity can place, pods a topology spread constraint or their host ports keep off every node that
 * could take them, a claim that does not exist, a blocked pod, a rollout its update strategy holds, pods the kubelet
 * stopped, a readiness gate, a Service that cannot route to its pods, a Job that runs on, an HPA that holds its
 * count, a node out of pod slots, pods a NetworkPolicy cuts off, an env variable defined twice or a narrowed local
 * port range, and what the current log of a running app says: src/diagnosis/log-finding.ts). The first finding is
 * the summary; without one, the generic "no known failure mode".
 */
import { findBlockedPod } from '../src/diagnosis/blocked.js';
import { MAX_PODS_ADVICE } from '../src/diagnosis/capacity.js';
import { evictionTime, explainingEvictions } from '../src/diagnosis/eviction.js';
import { hpaEvidence, readHpa } from '../src/diagnosis/hpa.js';
import { inactiveWords } from '../src/diagnosis/hpa-inactive.js';
import { jobRunningOn } from '../src/diagnosis/job-runs.js';
import { runningLogFinding } from '../src/diagnosis/log-finding.js';
import { misscheduledFinding } from '../src/diagnosis/misscheduled.js';
import { missingClaimFinding } from '../src/diagnosis/missing-claims.js';
import { isolationFinding } from '../src/diagnosis/network-policies.js';
import { alertStartMs, type Playbook, type PlaybookContext, type ResolvedTarget } from '../src/diagnosis/playbook.js';
import {
  containersOf,
  eventEvidence,
  failedByKubelet,
  isoTime,
  isPodReady,
  listNames,
  podName,
} from '../src/diagnosis/pods.js';
import { gateSummary, heldByGates } from '../src/diagnosis/readiness-gates.js';
import { serviceRouting } from '../src/diagnosis/service-routing.js';
import { specHazardFinding } from '../src/diagnosis/spec-hazards.js';
import { systemTaintFinding } from '../src/diagnosis/system-taints.js';
import { unnamedSubject } from '../src/diagnosis/target.js';
import { heldByFinalizers, heldWords } from '../src/diagnosis/terminating.js';
import { alertEvidence, unknownResult } from '../src/diagnosis/unknown.js';
import { unplaceableFinding } from '../src/diagnosis/unplaceable.js';
import { heldByStrategy } from '../src/diagnosis/update-strategy.js';
import { labelSelectorString, type Pod, type PodDisruptionBudget } from '../src/kube/reader.js';
import type { Evidence } from '../src/types.js';

/** A PodDisruptionBudget's selector, what it asks for and what its controller counted. */
function pdbBudget(pdb: PodDisruptionBudget): string {
  const { spec, status } = pdb;
  const asks =
    spec?.minAvailable !== undefined
      ? `minAvailable ${spec.minAvailable}`
      : spec?.maxUnavailable !== undefined
        ? `maxUnavailable ${spec.maxUnavailable}`
        : 'no minAvailable or maxUnavailable';
  const selector = spec?.selector ? (labelSelectorString(spec.selector) ?? 'every pod of the namespace') : 'none';
  const counted = status
    ? `; healthy ${status.currentHealthy ?? 0} of ${status.desiredHealthy ?? 0} wanted, ${status.expectedPods ?? 0} pod(s) expected`
    : '';
  return `PodDisruptionBudget ${pdb.metadata?.name ?? ''}: selector ${selector}, ${asks}${counted}`;
}

/**
 * Pods the kubelet stopped for a reason no playbook knows (a graceful node shutdown or spot preemption, an admission
 * rejection, activeDeadlineSeconds): the pod's own reason and message are the finding; nothing crashed.
 */
function stoppedSummary(stopped: Pod[], evidence: Evidence[]): string {
  for (const pod of stopped.slice(0, 3)) {
    const at = evictionTime(pod);
    evidence.push({
      kind: 'status',
      text: `${podName(pod)} was stopped by the kubelet${at ? ` at ${isoTime(at)}` : ''}${pod.spec?.nodeName ? ` on node ${pod.spec.nodeName}` : ''}: phase Failed, reason ${pod.status?.reason}${pod.status?.message ? ` (${pod.status.message.trim()})` : ''}`,
    });
  }
  const first = stopped[0];
  const why = `${first?.status?.reason}${first?.status?.message ? `: ${first.status.message.trim()}` : ''}`;
  return `${listNames(stopped.map(podName), 3)} ${stopped.length === 1 ? 'was' : 'were'} stopped by the kubelet, not by ${stopped.length === 1 ? 'its' : 'their'} own containers (${why}). A pod stopped this way stays listed as Failed until it is deleted; its controller, if any, starts a replacement. No playbook knows this cause, so Medic proposes nothing: check that the replacements run, then delete the Failed pods.`;
}

/**
 * An HPA alert (KubeHpaReplicasMismatch, KubernetesHpaMetricsUnavailability) whose workload has no failing pod: the
 * HPA's own state is the finding — it cannot compute a replica count at all (ScalingActive False: src/diagnosis/
 * hpa-inactive.ts says why), cannot change the scale (AbleToScale False), or its behavior (stabilization window,
 * scale policies) holds it. Adds the HPA's evidence; the summary when it is blind or wants another count.
 */
async function hpaHeld(ctx: PlaybookContext, target: ResolvedTarget, evidence: Evidence[]): Promise<string | null> {
  if (target.kind !== 'HorizontalPodAutoscaler' || !target.namespace) return null;
  const hpa = await ctx.read(ctx.reader.getHpa(target.namespace, target.name), null);
  if (!hpa) return null;
  const s = readHpa(hpa);
  evidence.push(...hpaEvidence(hpa, s));
  const blind = inactiveWords(s, target.workload);
  if (blind) {
    const holds =
      s.current === null
        ? ''
        : ` It holds its target at ${s.current} replica(s) (min ${s.min}, max ${s.max}) whatever the load.`;
    return `HPA ${s.name} cannot compute a replica count: ${blind}.${holds} No action Medic has fixes this, so it proposes nothing.`;
  }
  if (s.current === null || s.desired === null || s.current === s.desired) return null;
  const said = (c: { reason: string; message: string }) => `${c.reason}: ${c.message.replace(/\s+/g, ' ').trim()}`;
  const why = s.unable
    ? `it cannot change its target's scale: AbleToScale False (${said(s.unable)})`
    : s.limited
      ? `its own scaling limits hold it: ScalingLimited True (${said(s.limited)})`
      : "no pod of its workload fails, so its own behavior (scale-up or scale-down policies, the stabilization window) or the target's controller holds the count";
  return `HPA ${s.name} wants ${s.desired} replica(s) and has ${s.current} (min ${s.min}, max ${s.max}): ${why}. Medic proposes nothing; \`kubectl describe hpa ${s.name} -n ${target.namespace}\` shows its events.`;
}

/** A finding no root-cause code names: the summary (its evidence added), or null to ask the next finder. */
type Finder = (ctx: PlaybookContext, target: ResolvedTarget, evidence: Evidence[]) => Promise<string | null>;

const blocked: Finder = async (ctx, target) => {
  const found = await findBlockedPod(ctx, target.pods);
  if (!found) return null;
  const said = `${found.text.charAt(0).toUpperCase()}${found.text.slice(1)}.`;
  return found.explained
    ? `${said} Medic proposes nothing.`
    : `${said} No playbook knows this failure, so Medic proposes nothing: the ${found.who}'s message says what to change.`;
};

const stoppedByKubelet: Finder = async (ctx, target, evidence) => {
  const stopped = explainingEvictions(target.pods.filter(failedByKubelet), target, alertStartMs(ctx));
  return stopped.length > 0 ? stoppedSummary(stopped, evidence) : null;
};

const gated: Finder = async (_ctx, target) => {
  const held = heldByGates(target.pods);
  return held.length > 0 ? gateSummary(held, target.pods.length, target.description) : null;
};

/**
 * A node out of pod slots (kubernetes-mixin's KubeletTooManyPods: running pods at 95 % of its allocatable pods): the
 * kubelet's maxPods, not CPU or memory, is what refuses the next pod there.
 */
const nodeOutOfPodSlots: Finder = async (_ctx, target, evidence) => {
  const max = Number(target.node?.status?.allocatable?.pods);
  if (target.kind !== 'Node' || !Number.isFinite(max) || max <= 0) return null;
  const running = target.pods.filter((p) => p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed');
  if (running.length < max * 0.95) return null;
  evidence.push({ kind: 'status', text: `Node ${target.name} runs ${running.length} of its ${max} allocatable pods` });
  return `Node ${target.name} runs ${running.length} of its ${max} allocatable pods (the kubelet's max pods): the scheduler places no further pod there (Too many pods), whatever CPU and memory it has left. Nothing on it fails; if pods wait for room, add nodes, or ${MAX_PODS_ADVICE}. Medic proposes nothing.`;
};

/** Pods a finalizer keeps Terminating past their deletion time, on nodes that stopped their containers. */
const finalizerHeld: Finder = async (ctx, target, evidence) => {
  const held = heldByFinalizers(target.pods, alertStartMs(ctx));
  if (held.length === 0) return null;
  const owner = target.workload ? `${target.workload.kind} ${target.workload.name}` : null;
  const words = heldWords(held, owner);
  evidence.push(...words.evidence.map((text) => ({ kind: 'status' as const, text })));
  return words.summary;
};

/** A StatefulSet or DaemonSet rollout its update strategy holds (OnDelete, a partition): nothing fails. */
const strategyHeld: Finder = async (_ctx, target, evidence) => {
  const held = target.workload ? heldByStrategy(target.workload, target.pods) : null;
  if (held) evidence.push({ kind: 'spec', text: held.evidence });
  return held?.summary ?? null;
};

/**
 * A finder for workloads that look healthy: asked only when every pod of the target is Ready (unready pods are a
 * failure the status evidence already shows), and never for a node, whose pods belong to many workloads.
 */
const whileHealthy =
  (finder: Finder): Finder =>
  async (ctx, target, evidence) =>
    target.kind !== 'Node' && target.pods.length > 0 && target.pods.every(isPodReady)
      ? finder(ctx, target, evidence)
      : null;

const FINDERS: readonly Finder[] = [
  finalizerHeld,
  misscheduledFinding,
  unplaceableFinding,
  systemTaintFinding,
  missingClaimFinding,
  blocked,
  stoppedByKubelet,
  strategyHeld,
  gated,
  serviceRouting,
  jobRunningOn,
  hpaHeld,
  nodeOutOfPodSlots,
  whileHealthy(isolationFinding),
  specHazardFinding,
  whileHealthy(runningLogFinding),
];

export const unknown: Playbook = {
  name: 'unknown',
  rootCauses: ['UNKNOWN'],
  matches: () => true,
  async diagnose(ctx) {
    const target = ctx.target;
    const labels = ctx.event.alert.labels;
    if (!target) {
      const about = unnamedSubject(labels);
      const shown = Object.entries(labels)
        .map(([k, v]) => `${k}=${v}`)
        .join(', ');
      return unknownResult(
        `The alert ${labels.alertname ?? ''} names no pod, workload, service, node or volume Medic can look at${about ? `: it is about ${about}` : ''}.`,
        [{ kind: 'status', text: `Alert labels: ${shown}` }],
      );
    }
    if (target.unreadable) {
      return unknownResult(
        `Could not read ${target.description} from the cluster, so no cause could be determined.`,
        alertEvidence(ctx.event),
      );
    }
    const evidence: Evidence[] = [];
    const pods = target.pods;
    const ready = pods.filter(isPodReady);
    if (target.pdb) {
      const budget = pdbBudget(target.pdb);
      evidence.push({ kind: 'status', text: budget });
      // A budget over no pod (its workload scaled to zero, a selector that matches nothing, a leftover of an
      // upgrade) can never be met: nothing is unhealthy, the budget is what to look at.
      if (pods.length === 0) {
        return unknownResult(
          `${target.description} selects no pod, so it can never have the healthy pods it asks for: nothing is failing. If its workload is scaled to zero or gone, lower or delete the budget; otherwise fix its selector.`,
          evidence,
        );
      }
    }
    if (target.workload && !(target.workload.kind === target.kind && target.workload.name === target.name))
      evidence.push({
        kind: 'status',
        text: `${target.description} is run by ${target.workload.kind} ${target.workload.name}`,
      });
    evidence.push({
      kind: 'status',
      text: `${ready.length} of ${pods.length} pod(s) of ${target.description} are ready${pods.length ? `: ${listNames(pods.map(podName), 6)}` : ''}`,
    });
    const troubled = pods
      .flatMap((p) => containersOf(p))
      .filter((v) => (v.status.restartCount ?? 0) > 0 || v.status.state?.waiting);
    for (const v of troubled.slice(0, 4)) {
      const last = v.status.lastState?.terminated;
      evidence.push({
        kind: 'status',
        text: `${podName(v.pod)}/${v.status.name}: ${v.status.state?.waiting?.reason ?? (v.status.state?.running ? 'running' : 'not running')}${v.status.state?.waiting?.message ? ` (${v.status.state.waiting.message})` : ''}, ${v.status.restartCount} restart(s)${last ? `, last exit ${last.exitCode} ${last.reason ?? ''}` : ''}`,
      });
    }
    const notRunning = pods.filter((p) => !isPodReady(p)).slice(0, 2);
    for (const pod of notRunning) {
      const events = await ctx.read(ctx.reader.eventsFor(pod.metadata?.namespace, 'Pod', podName(pod)), []);
      for (const e of events.filter((e) => e.type === 'Warning').slice(-2)) evidence.push(eventEvidence(e));
    }
    let summary: string | null = null;
    for (const finder of FINDERS) {
      summary = await finder(ctx, target, evidence);
      if (summary) break;
    }
    // A node's pods being fine says little about the node: what the alert measures (kubelet, runtime, disk,
    // network) is where to look, not an application.
    const lookAt =
      target.kind === 'Node'
        ? 'Look at the node itself (kubelet, container runtime, disk, network) for what the alert measures.'
        : 'Look at the application itself (metrics, dependencies).';
    summary ??= `No known failure mode found for ${target.description}: ${ready.length}/${pods.length} pods ready, no OOM kill, eviction, crash loop, image pull, volume or scheduling problem. ${lookAt}`;
    return unknownResult(summary, evidence);
  },
};

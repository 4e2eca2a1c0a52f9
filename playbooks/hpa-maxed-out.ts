/**
 * HPA_MAXED_OUT: the HorizontalPodAutoscaler runs at maxReplicas while its metric stays above target, so a traffic
 * peak lands on pods it may not add. Diagnosed for alerts about the HPA (KubeHpaMaxedOut) and for alerts about the
 * workload or Service it governs (latency, QPS, CPU during a peak). set-hpa-max is offered only when the HPA is at
 * its maximum, the load asks for more, and the nodes have room: on a full cluster more replicas are Pending pods.
 * Never for an HPA held at its ceiling by memory, which more replicas do not spread.
 */

import { findBlockedPod } from '../src/diagnosis/blocked.js';
import { type ClusterRoom, clusterRoom, describeRoom, formatRequests, podRequests } from '../src/diagnosis/capacity.js';
import { heapCap } from '../src/diagnosis/heap.js';
import { HPA_TOLERANCE, hottestMetric, hpaEvidence, readHpa, wantedReplicas } from '../src/diagnosis/hpa.js';
import type { Playbook, PlaybookContext, ResolvedTarget } from '../src/diagnosis/playbook.js';
import { eventEvidence } from '../src/diagnosis/pods.js';
import { type QuotaRoom, quotaRoom } from '../src/diagnosis/quota.js';
import { namedTarget } from '../src/diagnosis/target.js';
import type { HorizontalPodAutoscaler, Node, Pod, PodSpec } from '../src/kube/reader.js';
import type { Evidence, ProposedAction } from '../src/types.js';

/** Node labels of Karpenter, which adds nodes for Pending pods: there a full cluster is not the end of it. */
const AUTOSCALED_NODE_LABELS = ['karpenter.sh/nodepool', 'karpenter.sh/provisioner-name'];

async function governingHpa(ctx: PlaybookContext, t: ResolvedTarget): Promise<HorizontalPodAutoscaler | null> {
  const ns = t.namespace ?? 'default';
  if (t.kind === 'HorizontalPodAutoscaler') return ctx.read(ctx.reader.getHpa(ns, t.name), null);
  const w = t.workload;
  if (w?.kind !== 'Deployment' && w?.kind !== 'StatefulSet') return null;
  return ctx.read(ctx.reader.hpaFor(w.namespace, w.kind, w.name), null);
}

/** A new pod of the workload as the scheduler would see it: the template, else one of its pods. */
function newPodShape(t: ResolvedTarget): Pod | null {
  const template = (t.workload?.object.spec as { template?: { spec?: PodSpec } } | undefined)?.template;
  if (template?.spec) return { spec: template.spec };
  return t.pods[0] ?? null;
}

async function roomFor(ctx: PlaybookContext, shape: Pod | null) {
  if (!shape) return { room: null, nodes: [] as Node[] };
  const [nodes, active] = await Promise.all([
    ctx.read(ctx.reader.listNodes(), null),
    ctx.read(ctx.reader.listActivePods(), null),
  ]);
  if (!nodes || !active) return { room: null, nodes: nodes ?? [] };
  return { room: clusterRoom(nodes, active, shape), nodes };
}

export const hpaMaxedOut: Playbook = {
  name: 'hpa-maxed-out',
  rootCauses: ['HPA_MAXED_OUT'],
  matches: (event) => namedTarget(event.alert.labels) !== null,
  async diagnose(ctx) {
    const t = ctx.target;
    if (!t?.found || t.unreadable) return null;
    // Pods blocked for a reason no earlier playbook knew (a container that cannot be created, a selector no node
    // matches): more replicas would be more blocked pods, and the ceiling is not why they fail.
    if (await findBlockedPod(ctx, t.pods)) return null;
    const aboutHpa = t.kind === 'HorizontalPodAutoscaler';
    const hpa = await governingHpa(ctx, t);
    if (!hpa) return null;
    const s = readHpa(hpa);
    const ref = hpa.spec?.scaleTargetRef;
    const missing = s.metrics.flatMap((m) => (m.problem ? [m.problem] : []));
    if (!hpa.status) missing.unshift('the HPA has no status (no currentReplicas, currentMetrics or conditions)');
    else if (s.current === null) missing.unshift('status.currentReplicas is missing or not a number');
    if (s.max < 1) missing.unshift('spec.maxReplicas is missing or not a number');
    const atMax = s.current !== null && s.max >= 1 ? s.current >= s.max : null;
    // Never this cause for an HPA below its maximum, whatever its metric says.
    if (atMax === false) return null;
    const hot = hottestMetric(s);
    const tooMany = s.limited?.reason === 'TooManyReplicas';
    // A metric value decides; without one, the controller's own verdict does (ScalingLimited: TooManyReplicas).
    const pressing = atMax === true && (hot ? (hot.ratio ?? 0) > 1 + HPA_TOLERANCE : tooMany);
    // About a workload or Service, only a clear peak is this cause; about the HPA itself, say what is known.
    if (!pressing && !aboutHpa) return null;

    const evidence: Evidence[] = hpaEvidence(hpa, s);
    const events = await ctx.read(ctx.reader.eventsFor(t.namespace, 'HorizontalPodAutoscaler', s.name), []);
    for (const e of events.filter((e) => e.reason === 'SuccessfulRescale').slice(-2)) evidence.push(eventEvidence(e));
    if (missing.length > 0) evidence.push({ kind: 'status', text: `Missing from the HPA: ${missing.join('; ')}` });

    const what = `HPA ${s.name}`;
    if (!pressing) {
      const why =
        atMax === null
          ? `${what} cannot be confirmed at its maximum: ${missing[0] ?? 'its status is incomplete'}. ${ctx.event.alert.labels.alertname === 'KubeHpaMaxedOut' ? 'Prometheus saw it at maxReplicas; ' : ''}check \`kubectl describe hpa ${s.name} -n ${t.namespace}\`.`
          : hot
            ? `${what} is at its maxReplicas (${s.max}) but ${hot.text} is within ${HPA_TOLERANCE * 100}% of target or below it: the pods it has are coping at the ceiling. Nothing to raise now; raise maxReplicas if the metric climbs above target.`
            : `${what} is at its maxReplicas (${s.max}) but no metric value says whether the load is above target (${missing[0] ?? 'metrics unavailable'}).`;
      return {
        rootCause: { code: 'HPA_MAXED_OUT', summary: why, confidence: 'low' },
        evidence,
        actions: [],
        ...(missing.length > 0 ? { partial: true } : {}),
      };
    }

    const shape = newPodShape(t);
    // Memory does not spread over replicas the way CPU does: each pod holds its runtime's heap and caches whatever
    // its share of the load, so memory above target at the ceiling is no sign that more pods would relieve it.
    const isMemory = (m: { name: string }) => /^memory\b/.test(m.name);
    const otherPressing = s.metrics.some((m) => !isMemory(m) && (m.ratio ?? 0) > 1 + HPA_TOLERANCE);
    if (hot && isMemory(hot) && !otherPressing) {
      const held = (shape?.spec?.containers ?? []).map((c) => heapCap(c)).find((h) => h !== null);
      const heap = held ? ` (${held.runtime} ${held.setting} in ${held.source})` : '';
      return {
        rootCause: {
          code: 'HPA_MAXED_OUT',
          summary: `${what} has run at its maxReplicas ${s.max} (min ${s.min}) scaling on memory — ${hot.text}. A pod's memory does not fall as replicas are added the way CPU does: each keeps its runtime's heap and caches${heap} whatever its share of the load, so more pods each hold about as much and the metric stays above target at any count; a higher maxReplicas would be filled too. Compare the pods' memory with their request, then scale on CPU or a load metric (requests per second, queue length), or set the memory target above what a pod holds at rest. Medic proposes nothing.`,
          confidence: 'medium',
        },
        evidence,
        actions: [],
        ...(missing.length > 0 ? { partial: true } : {}),
      };
    }
    const { room, nodes } = await roomFor(ctx, shape);
    const each = shape ? formatRequests(podRequests(shape.spec)) : null;
    const autoscaled = nodes.some((n) => AUTOSCALED_NODE_LABELS.some((l) => n.metadata?.labels?.[l] !== undefined));
    if (room && each) {
      evidence.push({
        kind: 'status',
        text: `Room for more ${ref?.name ?? s.name} pods (each requests ${each}): ${room.fits} fit on ${room.usable} of ${room.nodes.length} node(s) — ${describeRoom(room) || 'none usable'}`,
      });
    } else {
      evidence.push({ kind: 'status', text: 'Node room for more pods could not be checked.' });
    }

    const wanted = wantedReplicas(s);
    const bound = ctx.settings.scale.max;
    const loadText = hot ? `${hot.text}` : 'the controller reports TooManyReplicas';
    const needText = wanted && wanted > s.max ? `; at this load it wants about ${wanted} replicas` : '';
    let summary = `${what} has run at its maxReplicas ${s.max} (min ${s.min}) with its load above target — ${loadText}${needText}: it cannot add pods, so the peak lands on the ${s.current} it has.`;
    const nodeGoal = proposedMax(s.max, wanted, room, autoscaled, bound);
    // Pods past the namespace's ResourceQuota are refused at creation, whatever room the nodes have.
    const quotas = t.namespace && shape ? await ctx.read(ctx.reader.listResourceQuotas(t.namespace), []) : [];
    const quota = shape ? quotaRoom(quotas, shape.spec) : null;
    if (quota)
      evidence.push({
        kind: 'status',
        text: `ResourceQuota ${quota.quota}: ${quota.text} (room for ${quota.fits} more)`,
      });
    const quotaBound = quota && nodeGoal > s.max + quota.fits ? quota : null;
    const goal = quotaBound ? s.max + quotaBound.fits : nodeGoal;
    summary += ` ${
      quotaBound
        ? quotaSentence(quotaBound, goal)
        : roomSentence({ room, each, autoscaled, max: s.max, wanted, goal, bound })
    }`;
    const actions: ProposedAction[] = [];
    if (goal > s.max && t.namespace) {
      actions.push({
        kind: 'set-hpa-max',
        title: `Raise HPA ${s.name} maxReplicas ${s.max} → ${goal}`,
        params: { namespace: t.namespace, hpa: s.name, maxReplicas: goal },
        risk: room && room.fits >= goal - s.max ? 'low' : 'medium',
      });
    }
    return {
      rootCause: { code: 'HPA_MAXED_OUT', summary, confidence: hot && tooMany ? 'high' : 'medium' },
      evidence,
      actions,
      ...(missing.length > 0 ? { partial: true } : {}),
    };
  },
};

/** The new maximum: what the load asks for (+50 % when no metric says), within the room and medic.yaml scale.max. */
function proposedMax(
  max: number,
  wanted: number | null,
  room: ClusterRoom | null,
  autoscaled: boolean,
  bound: number,
): number {
  let goal = wanted && wanted > max ? wanted : Math.ceil(max * 1.5);
  if (room && !autoscaled) goal = Math.min(goal, max + room.fits);
  return Math.min(goal, bound);
}

/** What the namespace's quota allows instead of the raise the load and nodes would take. */
function quotaSentence(quota: QuotaRoom, goal: number): string {
  const refused = 'new pods would be refused at creation (FailedCreate: exceeded quota)';
  return quota.fits === 0
    ? `ResourceQuota ${quota.quota} leaves no room for another pod (${quota.text}): raising maxReplicas would change nothing, ${refused}. Raise the quota first; Medic proposes nothing.`
    : `ResourceQuota ${quota.quota} leaves room for only ${quota.fits} more pod(s) (${quota.text}): raising maxReplicas to ${goal} stays within it; beyond that ${refused}, so the quota must grow too.`;
}

function roomSentence(o: {
  room: ClusterRoom | null;
  each: string | null;
  autoscaled: boolean;
  max: number;
  wanted: number | null;
  goal: number;
  bound: number;
}): string {
  const { room, each, autoscaled, max, goal, bound } = o;
  if (max >= bound) return `maxReplicas is already at medic.yaml scale.max (${bound}): Medic proposes nothing higher.`;
  if (!room)
    return `Node room could not be checked; raising maxReplicas to ${goal} lets it add pods if the nodes can take them.`;
  if (room.fits === 0 && !autoscaled) {
    return `The nodes have no room for another pod (each requests ${each}): raising maxReplicas would only make Pending pods. Add nodes (or raise the node group's maximum) or free capacity first.`;
  }
  if (room.fits === 0) {
    return `The nodes are full; Karpenter manages nodes here, so raising maxReplicas to ${goal} leaves new pods Pending until it adds nodes.`;
  }
  const capped = !autoscaled && goal < bound && goal === max + room.fits && (o.wanted ?? goal + 1) > goal;
  return capped
    ? `The nodes have room for only ${room.fits} more pod(s) (each requests ${each}): raising maxReplicas to ${goal} uses it; beyond that more nodes are needed.`
    : `The nodes have room for ${room.fits} more pod(s) like these: raising maxReplicas to ${goal} lets it catch up${goal === bound ? ` (medic.yaml scale.max is ${bound})` : ''}.`;
}

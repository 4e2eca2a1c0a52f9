/**
 * UNSAFE_ROLLOUT: a Deployment whose rollouts drop traffic — replicas below the HPA minimum, no preStop hook, a grace
 * period under 60 s, or a strategy that can leave no ready pod — seen while a rollout or a replica shortfall is on,
 * or behind a traffic alert (a Service's 5xx, QPS, latency) that started within 15 minutes of a finished rollout.
 * When the new pods are blocked (src/diagnosis/blocked.ts) it steps aside, unless the strategy drained every old pod
 * for them: then nothing serves because of the strategy, and it says so without a proposal.
 */

import { findBlockedPod } from '../src/diagnosis/blocked.js';
import type { Playbook, PlaybookContext, PlaybookResult } from '../src/diagnosis/playbook.js';
import { eventEvidence, sidecarRuleFor } from '../src/diagnosis/pods.js';
import { type RecentRollout, recentRollout, TRAFFIC_ALERT } from '../src/diagnosis/rollout-timing.js';
import { namedTarget } from '../src/diagnosis/target.js';
import type { Deployment, HorizontalPodAutoscaler, Pod } from '../src/kube/reader.js';
import { resolveIntOrPercent } from '../src/kube/rollouts.js';
import type { Evidence } from '../src/types.js';

const WANTED_GRACE = 60;
const PRESTOP_SLEEP = 20;

interface Finding {
  text: string;
  /** The strategy lets a rollout stop every pod before a new one is ready. */
  drainsAll?: boolean;
}

export function rolloutFindings(
  d: Deployment,
  hpa: HorizontalPodAutoscaler | null,
  sidecars: Parameters<typeof sidecarRuleFor>[1],
) {
  const findings: Finding[] = [];
  const replicas = d.spec?.replicas ?? 1;
  const min = hpa?.spec?.minReplicas ?? 1;
  if (hpa && replicas < min) {
    findings.push({
      text: `spec.replicas is ${replicas} but HPA ${hpa.metadata?.name} has minReplicas ${min} (wanted: replicas = minReplicas = ${min}); every apply scales the Deployment down below the HPA minimum`,
    });
  }
  const podSpec = d.spec?.template?.spec;
  const apps = (podSpec?.containers ?? []).filter((c) => !sidecarRuleFor({ name: c.name, image: c.image }, sidecars));
  for (const c of apps) {
    if (!c.lifecycle?.preStop)
      findings.push({
        text: `container ${c.name} has no preStop hook (wanted: preStop sleep ${PRESTOP_SLEEP}s, so it leaves the load balancer / Consul before SIGTERM)`,
      });
  }
  const grace = podSpec?.terminationGracePeriodSeconds ?? 30;
  if (grace < WANTED_GRACE)
    findings.push({
      text: `terminationGracePeriodSeconds is ${grace}${podSpec?.terminationGracePeriodSeconds === undefined ? ' (default)' : ''} (wanted: ≥ ${WANTED_GRACE})`,
    });
  const strategy = d.spec?.strategy;
  const effective = Math.max(replicas, hpa ? min : replicas);
  // Recreate is what a pod template that mounts a claim needs: a ReadWriteOnce volume is attached to one node, and a
  // rolling update would start the new pod before the old one lets go of it (Multi-Attach).
  const mountsClaim = (podSpec?.volumes ?? []).some((v) => v.persistentVolumeClaim);
  if (strategy?.type === 'Recreate') {
    if (!mountsClaim)
      findings.push({
        text: 'strategy is Recreate: every pod stops before new ones start (wanted: RollingUpdate with maxUnavailable 0)',
        drainsAll: true,
      });
  } else {
    const maxUnavailable = resolveIntOrPercent(strategy?.rollingUpdate?.maxUnavailable, effective, false);
    if (maxUnavailable >= effective)
      findings.push({
        text: `rollingUpdate.maxUnavailable ${strategy?.rollingUpdate?.maxUnavailable} lets a rollout take all ${effective} pod(s) down (wanted: fewer than the replicas)`,
        drainsAll: true,
      });
  }
  return { findings, replicasBelowMin: !!hpa && replicas < min, grace, min };
}

/** A Service alert, or one whose name or summary is about requests, errors or latency. */
function isTrafficAlert(kind: string, labels: Record<string, string>, annotations: Record<string, string>): boolean {
  if (kind === 'Service') return true;
  return TRAFFIC_ALERT.test(`${labels.alertname ?? ''} ${annotations.summary ?? ''}`);
}

/**
 * No pod serves: the strategy let the rollout stop every old pod before a new one was ready, and the new pods cannot
 * run. No action: patch-rollout-safety does not change the strategy, and whether the old revision would run again
 * (a dependency both wait for) is for a person to judge.
 */
function drainedOutage(namespace: string, name: string, drains: Finding, blocked: string): PlaybookResult {
  const strategy = drains.text.split(' (wanted')[0];
  return {
    rootCause: {
      code: 'UNSAFE_ROLLOUT',
      summary: `No pod of Deployment ${name} is available: its strategy (${strategy}) let the rollout stop every old pod before a new one was ready, and the new pods cannot run: ${blocked}. Fix what blocks the new pods, or roll back (kubectl rollout undo deployment/${name} -n ${namespace}) if the previous revision's pods would run; then make rollouts keep pods serving (maxUnavailable 0, maxSurge 1). Medic proposes nothing: patch-rollout-safety does not change the strategy.`,
      confidence: 'medium',
    },
    evidence: [
      { kind: 'spec', text: drains.text },
      { kind: 'status', text: `What holds the new pods: ${blocked}` },
    ],
    actions: [],
  };
}

/** Whether `pod` is of the newest revision and a previous ReplicaSet was scaled to zero for it: a rollout drained it. */
async function rolledOutOver(ctx: PlaybookContext, d: Deployment, pod: Pod): Promise<boolean> {
  const [newest, previous] = await ctx.read(ctx.reader.replicaSetsOf(d), []);
  const hash = pod.metadata?.labels?.['pod-template-hash'];
  return (
    !!newest &&
    !!previous &&
    hash !== undefined &&
    newest.replicaSet.metadata?.labels?.['pod-template-hash'] === hash &&
    (previous.replicaSet.spec?.replicas ?? 0) === 0
  );
}

export const unsafeRollout: Playbook = {
  name: 'unsafe-rollout',
  rootCauses: ['UNSAFE_ROLLOUT'],
  matches: (event) => namedTarget(event.alert.labels) !== null,
  async diagnose(ctx) {
    const w = ctx.target?.workload;
    if (!ctx.target?.found || w?.kind !== 'Deployment') return null;
    // A pod blocked for a reason no earlier playbook knew (a container that cannot be created, a node selector no
    // node matches) is not explained by how the Deployment rolls out: patching its rollout would leave it blocked.
    // Unless the strategy let the rollout stop every old pod first: then the strategy is why nothing serves.
    const blocked = await findBlockedPod(ctx, ctx.target.pods);
    const d = w.object as Deployment;
    if (blocked && (d.status?.availableReplicas ?? 0) > 0) return null;
    const hpa = await ctx.read(ctx.reader.hpaFor(w.namespace, 'Deployment', w.name), null);
    const { findings, replicasBelowMin, grace, min } = rolloutFindings(d, hpa, ctx.settings.sidecars);
    if (blocked) {
      const drains = findings.find((f) => f.drainsAll);
      return drains && (await rolledOutOver(ctx, d, blocked.pod))
        ? drainedOutage(w.namespace, w.name, drains, blocked.text)
        : null;
    }
    if (findings.length === 0) return null;
    // An alert about one pod (not ready, waiting) that no playbook before explained is not explained by how its
    // Deployment rolls out either: a preStop hook does not make that pod ready. Traffic alerts about a pod stay.
    if (ctx.target.kind === 'Pod' && !isTrafficAlert('Pod', ctx.event.alert.labels, ctx.event.alert.annotations))
      return null;
    const s = d.status ?? {};
    const replicas = d.spec?.replicas ?? 1;
    const rolling =
      (s.updatedReplicas ?? replicas) < (s.replicas ?? replicas) ||
      (s.unavailableReplicas ?? 0) > 0 ||
      (s.availableReplicas ?? replicas) < replicas;
    let recent: RecentRollout | null = null;
    if (!replicasBelowMin && !rolling) {
      // Finished rollouts leave no shortfall: only a traffic alert that started right after one points at it.
      if (!isTrafficAlert(ctx.target.kind, ctx.event.alert.labels, ctx.event.alert.annotations)) return null;
      const startMs = Date.parse(ctx.event.alert.startsAt);
      recent = Number.isNaN(startMs) ? null : await recentRollout(ctx, d, startMs);
      if (!recent) return null;
    }
    const evidence: Evidence[] = findings.map((f) => ({ kind: 'spec', text: f.text }));
    if (recent) evidence.unshift(...recent.evidence);
    evidence.push({
      kind: 'status',
      text: `Deployment ${w.name}: ${s.availableReplicas ?? 0} available, ${s.readyReplicas ?? 0} ready, ${s.updatedReplicas ?? 0} updated of ${replicas} wanted${hpa ? `; HPA minReplicas ${min}, maxReplicas ${hpa.spec?.maxReplicas}` : ''}`,
    });
    if (!recent) {
      const events = await ctx.read(ctx.reader.eventsFor(w.namespace, 'Deployment', w.name), []);
      for (const e of events.filter((e) => e.reason === 'ScalingReplicaSet').slice(-2)) evidence.push(eventEvidence(e));
    }
    const params = {
      namespace: w.namespace,
      workload: `Deployment/${w.name}`,
      preStopSleepSeconds: PRESTOP_SLEEP,
      terminationGracePeriodSeconds: Math.max(WANTED_GRACE, grace),
      ...(replicasBelowMin ? { replicas: min } : {}),
    };
    const parts = [
      replicasBelowMin ? `replicas ${replicas} → ${min} (HPA minReplicas)` : '',
      `preStop sleep ${PRESTOP_SLEEP}s`,
      `grace period ${params.terminationGracePeriodSeconds}s`,
    ].filter(Boolean);
    const lead = recent
      ? `The alert started right after Deployment ${w.name} rolled out, and its rollouts drop traffic`
      : `Deployment ${w.name} rolls out unsafely`;
    const summary = `${lead} (${findings.length} finding(s)): ${findings.map((f) => f.text.split(' (wanted')[0]).join('; ')}. Pods are removed before traffic drains, so rollouts drop requests.`;
    return {
      rootCause: { code: 'UNSAFE_ROLLOUT', summary, confidence: replicasBelowMin ? 'high' : 'medium' },
      evidence,
      actions: [
        {
          kind: 'patch-rollout-safety',
          title: `Make ${w.name} rollouts safe: ${parts.join(', ')}`,
          params,
          risk: 'medium',
        },
      ],
    };
  },
};

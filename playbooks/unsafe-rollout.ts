/**
 * UNSAFE_ROLLOUT: a Deployment whose rollouts drop traffic — replicas below the HPA minimum, no preStop hook, a grace
 * period under 60 s, or a strategy that can leave no ready pod — seen while a rollout or a replica shortfall is on,
 * or behind a traffic alert (a Service's 5xx, QPS, latency) that started within 15 minutes of a finished rollout.
 */

import { findBlockedPod } from '../src/diagnosis/blocked.js';
import type { Playbook } from '../src/diagnosis/playbook.js';
import { eventEvidence, sidecarRuleFor } from '../src/diagnosis/pods.js';
import { type RecentRollout, recentRollout, TRAFFIC_ALERT } from '../src/diagnosis/rollout-timing.js';
import { namedTarget } from '../src/diagnosis/target.js';
import type { Deployment, HorizontalPodAutoscaler } from '../src/kube/reader.js';
import type { Evidence } from '../src/types.js';

const WANTED_GRACE = 60;
const PRESTOP_SLEEP = 20;

interface Finding {
  text: string;
}

function resolveIntOrPercent(value: string | number | undefined, replicas: number, roundUp: boolean): number {
  if (value === undefined) return roundUp ? Math.ceil(replicas * 0.25) : Math.floor(replicas * 0.25);
  if (typeof value === 'number') return value;
  const pct = Number(value.replace('%', '')) / 100;
  return roundUp ? Math.ceil(replicas * pct) : Math.floor(replicas * pct);
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
  if (strategy?.type === 'Recreate') {
    findings.push({
      text: 'strategy is Recreate: every pod stops before new ones start (wanted: RollingUpdate with maxUnavailable 0)',
    });
  } else {
    const maxUnavailable = resolveIntOrPercent(strategy?.rollingUpdate?.maxUnavailable, effective, false);
    if (maxUnavailable >= effective)
      findings.push({
        text: `rollingUpdate.maxUnavailable ${strategy?.rollingUpdate?.maxUnavailable} lets a rollout take all ${effective} pod(s) down (wanted: fewer than the replicas)`,
      });
  }
  return { findings, replicasBelowMin: !!hpa && replicas < min, grace, min };
}

/** A Service alert, or one whose name or summary is about requests, errors or latency. */
function isTrafficAlert(kind: string, labels: Record<string, string>, annotations: Record<string, string>): boolean {
  if (kind === 'Service') return true;
  return TRAFFIC_ALERT.test(`${labels.alertname ?? ''} ${annotations.summary ?? ''}`);
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
    if (await findBlockedPod(ctx, ctx.target.pods)) return null;
    const d = w.object as Deployment;
    const hpa = await ctx.read(ctx.reader.hpaFor(w.namespace, 'Deployment', w.name), null);
    const { findings, replicasBelowMin, grace, min } = rolloutFindings(d, hpa, ctx.settings.sidecars);
    if (findings.length === 0) return null;
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

/**
 * Pods held out of their Services by a readiness gate (`spec.readinessGates`): a pod condition that another
 * controller sets, and without which the kubelet keeps the pod's Ready condition False even when every container is
 * ready (reason ReadinessGatesNotReady; "corresponding condition of pod readiness gate "x" does not exist." while no
 * one has set it, "the status of pod readiness gate "x" is not "True", but False" after). Nothing in the pod is
 * wrong: the controller that owns the gate decides.
 */
import type { Pod } from '../kube/reader.js';
import { isPodReady, listNames, podName } from './pods.js';

/** Controllers known to own a gate, by the gate's condition type (prefix), with where to look. */
const OWNERS: { prefix: string; owner: string; look: string }[] = [
  {
    prefix: 'target-health.elbv2.k8s.aws/',
    owner: 'the AWS Load Balancer Controller',
    look: "the target group's health check (path, port, success codes) and the security groups between the load balancer and the pods, then the controller's logs",
  },
  {
    prefix: 'target-health.alb.ingress.k8s.aws/',
    owner: 'the AWS ALB Ingress Controller',
    look: "the target group's health check and the controller's logs",
  },
  {
    prefix: 'cloud.google.com/load-balancer-neg-ready',
    owner: "GKE's NEG controller",
    look: "the load balancer's health check for the network endpoint group, and whether the Service is NEG-backed (cloud.google.com/neg annotation)",
  },
];

export interface GateHold {
  pod: Pod;
  gate: string;
  /** The gate's own condition, or null when no controller has set it yet. */
  condition: { status?: string; reason?: string; message?: string } | null;
}

/** For each pod not Ready whose containers all are, the first readiness gate that holds it. */
export function heldByGates(pods: Pod[]): GateHold[] {
  const held: GateHold[] = [];
  for (const pod of pods) {
    const conditions = pod.status?.conditions ?? [];
    const containersReady = conditions.some((c) => c.type === 'ContainersReady' && c.status === 'True');
    if (isPodReady(pod) || !containersReady) continue;
    for (const { conditionType: gate } of pod.spec?.readinessGates ?? []) {
      const condition = conditions.find((c) => c.type === gate) ?? null;
      if (condition?.status === 'True') continue;
      held.push({ pod, gate, condition });
      break;
    }
  }
  return held;
}

/** What a gate's condition says: "False (Target.FailedHealthChecks: Health checks failed)", or that it has none. */
export function gateState(hold: GateHold): string {
  const c = hold.condition;
  if (!c) return 'no condition yet (no controller has set it)';
  const said = [c.reason, c.message?.trim()].filter(Boolean).join(': ');
  return `${c.status ?? 'unknown'}${said ? ` (${said})` : ''}`;
}

/** The diagnosis of pods held by their gates: which gate, what it says, who owns it and where to look. */
export function gateSummary(held: GateHold[], total: number, subject: string): string {
  const first = held[0] as GateHold;
  const same = held.filter((h) => h.gate === first.gate);
  const owner = OWNERS.find((o) => first.gate.startsWith(o.prefix));
  const states = [...new Set(same.map(gateState))];
  const pods = listNames(
    held.map((h) => podName(h.pod)),
    3,
  );
  const unset = same.every((h) => h.condition === null);
  const who = owner ? owner.owner : `the controller that owns the condition ${first.gate}`;
  const advice = unset
    ? `No controller has set it on ${same.length === 1 ? 'this pod' : 'these pods'}: check that ${who} runs and watches ${subject}'s pods${owner ? ` (${owner.look})` : ''}; if nothing is meant to set this gate any more, remove it from readinessGates in the pod template.`
    : `${who.charAt(0).toUpperCase()}${who.slice(1)} reports it; look at ${owner ? owner.look : 'what that controller checks'}.`;
  return `${held.length} of ${total} pod(s) of ${subject} (${pods}) are not Ready although all their containers are: readiness gate ${first.gate} holds them, ${states.join('; ')}. A readiness gate is set by ${who}, not by the pod, so the Service sends these pods no traffic. ${advice} Restarting the pods does not change the gate; Medic proposes nothing.`;
}

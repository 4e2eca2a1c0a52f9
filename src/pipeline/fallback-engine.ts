/**
 * The fallback diagnosis engine: an honest UNKNOWN built only from the alert's labels, with no cluster reads.
 * Used when no playbook engine is wired in (the playbook engine lives in src/diagnosis/engine.ts), so the
 * pipeline still runs end to end and says plainly that nothing was diagnosed.
 */
import type { AlertEvent } from '../alertmanager/payload.js';
import type { Diagnosis, DiagnosisEngine, Evidence, Target } from '../types.js';

const TARGET_LABELS: [label: string, kind: string][] = [
  ['pod', 'Pod'],
  ['deployment', 'Deployment'],
  ['statefulset', 'StatefulSet'],
  ['daemonset', 'DaemonSet'],
  ['job_name', 'Job'],
  ['persistentvolumeclaim', 'PersistentVolumeClaim'],
  ['node', 'Node'],
];

function targetFromLabels(labels: Record<string, string>): Target | null {
  for (const [label, kind] of TARGET_LABELS) {
    const name = labels[label];
    if (!name) continue;
    return { kind, name, ...(labels.namespace && kind !== 'Node' ? { namespace: labels.namespace } : {}) };
  }
  return null;
}

export function describeTarget(target: Target | null): string {
  if (!target) return 'no Kubernetes object named in its labels';
  return `${target.kind} ${target.namespace ? `${target.namespace}/` : ''}${target.name}`;
}

export function fallbackDiagnosis(event: AlertEvent): Diagnosis {
  const { alert } = event;
  const alertname = alert.labels.alertname ?? '(no alertname)';
  const target = targetFromLabels(alert.labels);
  const evidence: Evidence[] = [
    { kind: 'status', text: `Alert ${alertname} is firing since ${alert.startsAt} for ${describeTarget(target)}.` },
  ];
  const summary = alert.annotations.summary ?? alert.annotations.description;
  if (summary) evidence.push({ kind: 'status', text: `Alert summary: ${summary}` });
  return {
    alert: { fingerprint: alert.fingerprint, alertname, status: alert.status },
    playbook: 'fallback',
    target,
    rootCause: {
      code: 'UNKNOWN',
      summary: `No playbook examined ${alertname}; Medic has no diagnosis for it yet.`,
      confidence: 'low',
    },
    evidence,
    actions: [],
    partial: false,
  };
}

export function createFallbackEngine(): DiagnosisEngine {
  return { diagnose: async (event) => fallbackDiagnosis(event) };
}

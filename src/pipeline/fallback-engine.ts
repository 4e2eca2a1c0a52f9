/**
 * The fallback diagnosis engine: an honest UNKNOWN built only from the alert's labels, with no cluster reads.
 * Used when no cluster is configured (the playbook engine lives in src/diagnosis/engine.ts), so the pipeline
 * still runs end to end and says plainly that nothing was diagnosed. The target is read from the labels by
 * the engine's own rule (namedTarget), so both engines name the same object.
 */
import type { AlertEvent } from '../alertmanager/payload.js';
import { namedTarget } from '../diagnosis/target.js';
import { alertEvidence, unknownResult } from '../diagnosis/unknown.js';
import type { Diagnosis, DiagnosisEngine } from '../types.js';

export function fallbackDiagnosis(event: AlertEvent): Diagnosis {
  const { alert } = event;
  const alertname = alert.labels.alertname ?? '(no alertname)';
  const named = namedTarget(alert.labels);
  const target = named
    ? { kind: named.kind, name: named.name, ...(named.namespace ? { namespace: named.namespace } : {}) }
    : null;
  const result = unknownResult(
    `No playbook examined ${alertname}; Medic has no diagnosis for it yet.`,
    alertEvidence(event),
  );
  return {
    alert: { fingerprint: alert.fingerprint, alertname, status: alert.status },
    playbook: 'fallback',
    target,
    ...result,
    partial: false,
  };
}

export function createFallbackEngine(): DiagnosisEngine {
  return { diagnose: async (event) => fallbackDiagnosis(event) };
}

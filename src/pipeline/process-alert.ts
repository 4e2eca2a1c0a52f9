/**
 * The diagnosis job: firing → diagnose → record → hand it to the incident module (src/incidents: proposals,
 * then the view); resolved → record the resolve → the incident module. A resolved alert gets no new diagnosis.
 * A retried job (or one run again after its worker died) reuses the diagnosis it already recorded, so each alert
 * episode is diagnosed once and only the hand-over is repeated (the incident module and its views are
 * idempotent). `/medic diagnose` requests take the same path (diagnose-request.ts).
 */
import type { AlertEvent } from '../alertmanager/payload.js';
import type { Incidents } from '../incidents/incident.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { DiagnosisStore } from '../store/diagnoses.js';
import type { Diagnosis, DiagnosisEngine } from '../types.js';

export interface PipelineDeps {
  engine: DiagnosisEngine;
  incidents: Incidents;
  store: DiagnosisStore;
  logger: Logger;
  signal: AbortSignal;
  metrics?: Metrics;
  /**
   * The job's first run (JobContext.firstStart): no earlier attempt can have recorded this alert, so the record
   * is not looked up first. A record written anyway (the same alert episode queued again after its job was
   * removed) still wins: recordDiagnosis keeps the first.
   */
  firstStart?: boolean;
}

export type AlertOutcome =
  | { kind: 'diagnosed'; diagnosis: Diagnosis; reused: boolean }
  | { kind: 'resolved'; firstResolve: boolean };

export async function processAlertEvent(event: AlertEvent, deps: PipelineDeps): Promise<AlertOutcome> {
  const logger = deps.logger.child({ fingerprint: event.alert.fingerprint, status: event.alert.status });
  if (event.alert.status === 'resolved') {
    const { created } = await deps.store.recordResolve(event);
    await deps.incidents.recordResolved(event);
    logger.debug({ firstResolve: created }, 'resolve recorded');
    return { kind: 'resolved', firstResolve: created };
  }

  const existing = deps.firstStart ? null : await deps.store.findDiagnosis(event);
  if (existing?.diagnosis) {
    logger.info('reusing the diagnosis recorded by an earlier attempt');
    await deps.incidents.recordFiring(event, existing.diagnosis);
    return { kind: 'diagnosed', diagnosis: existing.diagnosis, reused: true };
  }

  const fresh = await deps.engine.diagnose(event, deps.signal);
  deps.signal.throwIfAborted();
  const { record, created } = await deps.store.recordDiagnosis(event, fresh);
  // Another worker may have recorded this episode first (a stalled job picked up twice): its diagnosis wins.
  const diagnosis = record.diagnosis ?? fresh;
  if (created) deps.metrics?.diagnoses.inc({ root_cause: diagnosis.rootCause.code, playbook: diagnosis.playbook });
  logger.info({ rootCause: diagnosis.rootCause.code, playbook: diagnosis.playbook }, 'alert diagnosed');
  await deps.incidents.recordFiring(event, diagnosis);
  return { kind: 'diagnosed', diagnosis, reused: !created };
}

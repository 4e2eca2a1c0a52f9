/**
 * The queued half of `/medic diagnose`: run the playbooks on the named object and post the result as a
 * thread in the channel where the command was typed. A bare name is tried as a Pod, then a Deployment,
 * then a StatefulSet; the first that exists wins.
 */
import type { AlertEvent } from '../alertmanager/payload.js';
import type { Diagnosis } from '../types.js';
import { type DiagnoseKind, type DiagnoseRequest, manualAlertEvent } from './medic.js';

export interface DiagnoseJobDeps {
  diagnoseTarget(
    target: { kind: DiagnoseKind; namespace: string; name: string },
    signal?: AbortSignal,
  ): Promise<Diagnosis>;
  postDiagnosis(channel: string, event: AlertEvent, diagnosis: Diagnosis): Promise<void>;
}

const ORDER: DiagnoseKind[] = ['Pod', 'Deployment', 'StatefulSet'];

export async function processDiagnoseRequest(
  request: DiagnoseRequest,
  deps: DiagnoseJobDeps,
  signal?: AbortSignal,
): Promise<Diagnosis> {
  const kinds = request.kind ? [request.kind] : ORDER;
  let diagnosis: Diagnosis | undefined;
  let kind: DiagnoseKind = kinds[0] ?? 'Pod';
  for (const candidate of kinds) {
    kind = candidate;
    diagnosis = await deps.diagnoseTarget({ kind, namespace: request.namespace, name: request.name }, signal);
    if (diagnosis.rootCause.code !== 'TARGET_NOT_FOUND') break;
  }
  if (!diagnosis) throw new Error('no kind to diagnose');
  await deps.postDiagnosis(request.channelId, manualAlertEvent({ ...request, kind }, diagnosis), diagnosis);
  return diagnosis;
}

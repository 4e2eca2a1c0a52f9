/**
 * `/medic diagnose <kind>/<name> -n <ns>` as an ordinary diagnosis job: the request is queued on the `alerts`
 * queue (typed payload `{ diagnose }`), turned into the alert that would name the object, and diagnosed by
 * processAlertEvent, the engine path every alert takes. So it answers what the alert path answers; only the
 * thread differs — its own group, posted in the channel where the command was typed.
 */
import { createHash } from 'node:crypto';
import type { AlertEvent } from '../alertmanager/payload.js';
import type { ClusterReader } from '../kube/reader.js';
import { type AlertOutcome, type PipelineDeps, processAlertEvent } from './process-alert.js';

/** The kinds `/medic diagnose` accepts, in the order a bare name is looked up. The one list. */
export const DIAGNOSE_KINDS = ['Pod', 'Deployment', 'StatefulSet'] as const;
export type DiagnoseKind = (typeof DIAGNOSE_KINDS)[number];

/** The label kube-state-metrics and the kubelet put on an alert about each kind (what namedTarget reads). */
const LABEL_OF: Record<DiagnoseKind, string> = { Pod: 'pod', Deployment: 'deployment', StatefulSet: 'statefulset' };

/** A queued `/medic diagnose`: the object (its kind already looked up by the command) and who asked where. */
export interface DiagnoseRequest {
  requestId: string;
  kind: DiagnoseKind;
  name: string;
  namespace: string;
  channelId: string;
  userId: string;
  requestedAt: number;
  /** `--cluster NAME`: the configured cluster, as the alert label that names it (medic.yaml `clusterLabel`). */
  cluster?: { label: string; name: string };
}

/** The alert a request is diagnosed as: its own group (so its own thread), answered in the asking channel. */
export function manualAlertEvent(request: DiagnoseRequest): AlertEvent {
  const labels: Record<string, string> = {
    alertname: 'MedicDiagnose',
    namespace: request.namespace,
    [LABEL_OF[request.kind]]: request.name,
    // The cluster is named as an alert names it, so the request is routed by the one rule (src/clusters).
    ...(request.cluster ? { [request.cluster.label]: request.cluster.name } : {}),
  };
  const fingerprint = createHash('sha256')
    .update(`${request.requestId}\n${JSON.stringify(labels)}`)
    .digest('hex');
  return {
    alert: {
      status: 'firing',
      labels,
      annotations: {},
      startsAt: new Date(request.requestedAt).toISOString(),
      endsAt: '0001-01-01T00:00:00Z',
      generatorURL: '',
      fingerprint: fingerprint.slice(0, 16),
    },
    groupKey: `medic-diagnose:${request.requestId}`,
    receiver: 'slash-command',
    externalURL: '',
    groupLabels: { alertname: `Diagnosis requested by @${request.userId}` },
    commonLabels: {
      namespace: request.namespace,
      ...(request.cluster ? { [request.cluster.label]: request.cluster.name } : {}),
    },
    receivedAt: request.requestedAt,
    requestedBy: { userId: request.userId, channel: request.channelId },
  };
}

export function processDiagnoseRequest(request: DiagnoseRequest, deps: PipelineDeps): Promise<AlertOutcome> {
  return processAlertEvent(manualAlertEvent(request), deps);
}

/** `/medic diagnose`'s lookup: the given kind, else the first of DIAGNOSE_KINDS that exists; null for none. */
export function diagnoseTargetFinder(reader: ClusterReader) {
  return async (namespace: string, name: string, kind?: DiagnoseKind): Promise<DiagnoseKind | null> => {
    for (const candidate of kind ? [kind] : DIAGNOSE_KINDS) {
      const found =
        candidate === 'Pod'
          ? await reader.getPod(namespace, name)
          : await reader.getWorkload(namespace, candidate, name);
      if (found) return candidate;
    }
    return null;
  };
}

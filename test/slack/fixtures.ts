import type { AlertEvent } from '../../src/alertmanager/payload.js';
import type { Diagnosis } from '../../src/types.js';
import type { RootCauseCode } from '../../src/vocabulary.js';

export function alertEvent(
  fingerprint: string,
  options: { pod?: string; status?: 'firing' | 'resolved'; groupKey?: string; namespace?: string } = {},
): AlertEvent {
  const namespace = options.namespace ?? 'ads';
  return {
    alert: {
      status: options.status ?? 'firing',
      labels: {
        alertname: 'KubePodOOMKilled',
        namespace,
        pod: options.pod ?? `api-${fingerprint}`,
        severity: 'critical',
      },
      annotations: {},
      startsAt: '2026-11-25T08:00:00Z',
      endsAt: '0001-01-01T00:00:00Z',
      generatorURL: 'http://prometheus.example/graph?g0.expr=up',
      fingerprint,
    },
    groupKey: options.groupKey ?? '{}:{alertname="KubePodOOMKilled"}',
    receiver: 'medic',
    externalURL: 'http://alertmanager.example:9093',
    groupLabels: { alertname: 'KubePodOOMKilled' },
    commonLabels: { alertname: 'KubePodOOMKilled', namespace, severity: 'critical' },
    receivedAt: Date.now(),
  };
}

export function diagnosisFor(
  event: AlertEvent,
  options: { code?: RootCauseCode; workload?: string; actions?: Diagnosis['actions'] } = {},
): Diagnosis {
  const workload = options.workload ?? 'api';
  return {
    alert: { fingerprint: event.alert.fingerprint, alertname: 'KubePodOOMKilled', status: 'firing' },
    playbook: 'oom-killed',
    target: {
      kind: 'Pod',
      namespace: event.alert.labels.namespace ?? 'ads',
      name: event.alert.labels.pod ?? 'pod',
      workload: { kind: 'Deployment', name: workload },
    },
    rootCause: {
      code: options.code ?? 'OOM_LIMIT',
      summary: `Container app of ${workload} was OOMKilled at its 256Mi limit.`,
      confidence: 'high',
    },
    evidence: [
      { kind: 'status', text: 'lastState.terminated.reason=OOMKilled, restarts=7' },
      { kind: 'spec', text: 'memory limit 256Mi' },
    ],
    actions: options.actions ?? [
      {
        kind: 'set-memory-limit',
        title: 'Raise app limit to 512Mi',
        params: { namespace: 'ads', workload: `Deployment/${workload}`, container: 'app', limit: '512Mi' },
        risk: 'low',
      },
      {
        kind: 'rollout-restart',
        title: `Restart ${workload}`,
        params: { namespace: 'ads', workload: `Deployment/${workload}` },
        risk: 'medium',
      },
    ],
    partial: false,
  };
}

/**
 * What the Slack view records for a firing alert of pair `w<workload>` in a thread of `groupKey` (the thread
 * store's recordFiring input, without the new pair), as of `at`.
 */
export function recordedFiring(event: AlertEvent, groupKey: string, workload: string, at: number) {
  return {
    meta: {
      channel: 'CALERTS',
      groupKey,
      alertname: 'KubePodOOMKilled',
      externalURL: 'http://alertmanager.example:9093',
      groupLabels: {},
      createdAt: at,
    },
    alert: {
      fingerprint: event.alert.fingerprint,
      status: 'firing' as const,
      label: event.alert.labels.pod ?? '',
      labels: event.alert.labels,
      generatorURL: event.alert.generatorURL,
      updatedAt: at,
    },
    pairKey: `OOM_LIMIT|ads/Deployment/${workload}`,
  };
}

/** Realistic Alertmanager webhook bodies (version "4") for load and fault tests. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type KubeObject, loadSnapshot } from '../../src/sandbox/index.js';

export const SCENARIOS_DIR = join(import.meta.dirname, '..', '..', '..', 'shared', 'scenarios');

export interface TestAlert {
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
  fingerprint: string;
}

export interface TestPayload {
  version: '4';
  groupKey: string;
  truncatedAlerts: number;
  status: 'firing' | 'resolved';
  receiver: string;
  groupLabels: Record<string, string>;
  commonLabels: Record<string, string>;
  commonAnnotations: Record<string, string>;
  externalURL: string;
  alerts: TestAlert[];
}

/** A 16-hex fingerprint unique per (run, index): different runs never collide in a shared Redis. */
export function fingerprintFor(runId: number, index: number): string {
  return (runId.toString(16).padStart(8, '0') + index.toString(16).padStart(8, '0')).slice(-16);
}

export function makeAlert(fingerprint: string, labels: Record<string, string>, startsAt = new Date()): TestAlert {
  return {
    status: 'firing',
    labels: { alertname: 'KubePodCrashLooping', severity: 'warning', ...labels },
    annotations: { summary: `alert ${fingerprint}` },
    startsAt: startsAt.toISOString(),
    endsAt: '0001-01-01T00:00:00Z',
    generatorURL: 'http://prometheus:9090/graph?g0.expr=up',
    fingerprint,
  };
}

export function makePayload(namespace: string, alerts: TestAlert[]): TestPayload {
  return {
    version: '4',
    groupKey: `{}:{namespace="${namespace}"}`,
    truncatedAlerts: 0,
    status: 'firing',
    receiver: 'medic',
    groupLabels: { namespace },
    commonLabels: { namespace },
    commonAnnotations: {},
    externalURL: 'http://alertmanager:9093',
    alerts,
  };
}

/**
 * `total` alerts split over `groups` namespaces, `perPayload` alerts per webhook call (Alertmanager
 * batches a group's new alerts into one notification). Pods are named so no two alerts share a label set.
 */
export function makeLoad(runId: number, total: number, groups: number, perPayload: number): TestPayload[] {
  const byGroup = new Map<number, TestAlert[]>();
  for (let i = 0; i < total; i += 1) {
    const group = i % groups;
    const namespace = `load-${group}`;
    const alert = makeAlert(fingerprintFor(runId, i), { namespace, pod: `app-${i}`, container: 'app' });
    const list = byGroup.get(group) ?? [];
    list.push(alert);
    byGroup.set(group, list);
  }
  const payloads: TestPayload[] = [];
  for (const [group, alerts] of byGroup) {
    for (let i = 0; i < alerts.length; i += perPayload) {
      payloads.push(makePayload(`load-${group}`, alerts.slice(i, i + perPayload)));
    }
  }
  return payloads;
}

/** The scenario's own alert.json, parsed. */
export function readScenarioPayload(name: string): TestPayload {
  return JSON.parse(readFileSync(join(SCENARIOS_DIR, name, 'alert.json'), 'utf8')) as TestPayload;
}

/** The cluster objects of one or more scenarios' cluster.yaml, for one sandbox. */
export function readScenarioObjects(...names: string[]): KubeObject[] {
  return names.flatMap((name) => loadSnapshot(readFileSync(join(SCENARIOS_DIR, name, 'cluster.yaml'), 'utf8'), name));
}

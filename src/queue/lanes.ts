/**
 * Two lanes on the `alerts` queue, so the first alert of a new incident is not queued behind a thousand
 * repeats of an old one. An alert whose incident key (below) was queued by this process within `windowMs` is a
 * repeat: its job gets a BullMQ priority, which puts it behind every job without one (BullMQ takes jobs without
 * a priority first, then prioritized ones by priority, FIFO within one). The first alert of a key, batch jobs
 * and `/medic diagnose` requests have none. Repeats keep their order among themselves and are all diagnosed;
 * only when is decided here. The memory is per process: a second web replica may queue one more "first".
 *
 * The key is read before any diagnosis, from the alert group (each group is its own thread, so its first reply
 * is a new incident's) and the labels: alertname, namespace and the workload the labels name (the pod name
 * without its ReplicaSet/StatefulSet suffix, else the workload, node or volume label). A wrong guess only
 * changes the order, never an answer.
 */
import type { AlertEvent } from '../alertmanager/payload.js';
import { createRecentKeys } from '../recent-keys.js';

/** The priority of repeats; lower numbers run first, 1 would be the highest. */
export const REPEAT_PRIORITY = 1000;

const OBJECT_LABELS = [
  'deployment',
  'statefulset',
  'daemonset',
  'job_name',
  'cronjob',
  'horizontalpodautoscaler',
  'persistentvolumeclaim',
  'persistentvolume',
  'node',
  'service',
] as const;

/**
 * The workload part of a pod name: `api-5d8f7c9b4-x2klp` (Deployment) → `api`, `ad-index-1` (StatefulSet) →
 * `ad-index`, `fluentd-x2klp` (DaemonSet, Job) → `fluentd`. One suffix only: `ad-index` stays itself.
 */
function podWorkload(pod: string): string {
  return pod.replace(/-[a-z0-9]{6,10}-[a-z0-9]{5}$|-\d+$|-[a-z0-9]{5}$/, '');
}

/**
 * The object the labels name, as a key: the pod (`pod`) or the workload its name comes from (`workload`), else
 * the first workload, volume, node or service label. A cheap guess from the labels, read before any diagnosis:
 * only orders and groups work, never decides an answer (src/pipeline/shared-diagnoses.ts uses it too).
 */
export function labelObject(labels: Record<string, string>, pod: 'pod' | 'workload'): string {
  if (labels.pod) return `pod:${pod === 'pod' ? labels.pod : podWorkload(labels.pod)}`;
  return OBJECT_LABELS.map((name) => (labels[name] ? `${name}:${labels[name]}` : '')).find(Boolean) ?? '';
}

export function incidentKey(event: AlertEvent): string {
  const labels = event.alert.labels;
  const object = labelObject(labels, 'workload');
  return `${event.groupKey}|${labels.alertname ?? ''}|${labels.namespace ?? labels.exported_namespace ?? ''}|${object}`;
}

export interface RepeatLanes {
  /** The BullMQ priority for this alert's job: undefined for the first of its key, REPEAT_PRIORITY for repeats. */
  priorityOf(event: AlertEvent): number | undefined;
}

export function createRepeatLanes(
  options: { windowMs?: number; maxKeys?: number; now?: () => number } = {},
): RepeatLanes {
  const windowMs = options.windowMs ?? 10 * 60_000;
  const maxKeys = options.maxKeys ?? 10_000;
  const now = options.now ?? Date.now;
  /** The keys queued within the window. */
  const queued = createRecentKeys({ windowMs, maxKeys, now });
  return {
    priorityOf(event) {
      if (event.alert.status !== 'firing') return undefined;
      const key = incidentKey(event);
      const repeat = queued.has(key);
      queued.touch(key);
      return repeat ? REPEAT_PRIORITY : undefined;
    },
  };
}

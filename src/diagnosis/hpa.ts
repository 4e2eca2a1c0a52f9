/**
 * Reading a HorizontalPodAutoscaler (autoscaling/v2) as its controller does: each spec.metrics entry against its
 * status.currentMetrics value, the ScalingLimited condition, and how many replicas the current load asks for.
 * Pure functions; values that are missing or not numbers are reported, never guessed.
 */
import type { HorizontalPodAutoscaler } from '../kube/reader.js';
import { parseQuantity } from '../quantity.js';
import type { Evidence } from '../types.js';

/** kube-controller-manager's default --horizontal-pod-autoscaler-tolerance: within 10 % of target it does not scale. */
export const HPA_TOLERANCE = 0.1;

type MetricSpec = NonNullable<NonNullable<HorizontalPodAutoscaler['spec']>['metrics']>[number];
type MetricStatus = NonNullable<NonNullable<HorizontalPodAutoscaler['status']>['currentMetrics']>[number];
interface Target {
  type?: string;
  averageUtilization?: unknown;
  averageValue?: unknown;
  value?: unknown;
}

export interface MetricReading {
  /** "cpu utilization", "pods metric http_requests_per_second", "external metric sqs_messages_visible". */
  name: string;
  /** "131% of requests (target 70%)", or what is missing. */
  text: string;
  /** current / target; null when either is missing or not a number. */
  ratio: number | null;
  /** What is missing or malformed, for a partial diagnosis. */
  problem?: string;
}

function metricName(spec: MetricSpec): string {
  if (spec.type === 'Resource') return `${spec.resource?.name ?? '?'}`;
  if (spec.type === 'ContainerResource') {
    return `${spec.containerResource?.name ?? '?'} of container ${spec.containerResource?.container ?? '?'}`;
  }
  if (spec.type === 'Pods') return `pods metric ${spec.pods?.metric?.name ?? '?'}`;
  if (spec.type === 'Object') {
    const o = spec.object;
    return `object metric ${o?.metric?.name ?? '?'} of ${o?.describedObject?.kind ?? '?'}/${o?.describedObject?.name ?? '?'}`;
  }
  if (spec.type === 'External') return `external metric ${spec.external?.metric?.name ?? '?'}`;
  return `metric of type ${spec.type}`;
}

function targetOf(spec: MetricSpec): Target | undefined {
  return (spec.resource ?? spec.containerResource ?? spec.pods ?? spec.object ?? spec.external)?.target;
}

/** The status entry that reports this spec metric: same type and identity (the controller keeps them in order). */
function statusFor(spec: MetricSpec, index: number, statuses: MetricStatus[]): MetricStatus | undefined {
  const same = (s: MetricStatus) => {
    if (s.type !== spec.type) return false;
    if (spec.type === 'Resource') return s.resource?.name === spec.resource?.name;
    if (spec.type === 'ContainerResource') {
      return (
        s.containerResource?.name === spec.containerResource?.name &&
        s.containerResource?.container === spec.containerResource?.container
      );
    }
    if (spec.type === 'Pods') return s.pods?.metric?.name === spec.pods?.metric?.name;
    if (spec.type === 'Object') return s.object?.metric?.name === spec.object?.metric?.name;
    if (spec.type === 'External') return s.external?.metric?.name === spec.external?.metric?.name;
    return true;
  };
  const atIndex = statuses[index];
  return atIndex && same(atIndex) ? atIndex : statuses.find(same);
}

function currentOf(status: MetricStatus | undefined): Target | undefined {
  return (status?.resource ?? status?.containerResource ?? status?.pods ?? status?.object ?? status?.external)?.current;
}

/** A percentage as the API gives it (an integer), or null when it is not a number. */
function percent(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string' && /^[0-9]+(\.[0-9]+)?$/.test(value)) return Number(value);
  return null;
}

const show = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));

/** One spec metric against its current value. */
function readMetric(spec: MetricSpec, status: MetricStatus | undefined): MetricReading {
  const name = metricName(spec);
  const target = targetOf(spec);
  const current = currentOf(status);
  if (!target) return { name, text: `${name}: no target in spec`, ratio: null, problem: `${name} has no target` };
  const kind = target.type ?? (target.averageUtilization !== undefined ? 'Utilization' : 'AverageValue');
  const field = kind === 'Utilization' ? 'averageUtilization' : kind === 'Value' ? 'value' : 'averageValue';
  const parse = kind === 'Utilization' ? percent : parseQuantity;
  const unit = kind === 'Utilization' ? '%' : '';
  const per = kind === 'Value' ? '' : kind === 'Utilization' ? ' of requests' : ' per pod';
  const wanted = parse(target[field]);
  const targetText = `target ${show(target[field])}${unit}`;
  if (wanted === null || wanted <= 0) {
    const problem = `the target ${field} ${show(target[field])} of ${name} is not a positive number`;
    return { name, text: `${name}: ${problem}`, ratio: null, problem };
  }
  const raw = current?.[field as keyof Target];
  if (raw === undefined) {
    const problem = `status.currentMetrics has no current ${field} for ${name}`;
    return { name, text: `${name}: current value not reported (${targetText})`, ratio: null, problem };
  }
  const value = parse(raw);
  if (value === null) {
    const problem = `the current ${field} ${show(raw)} of ${name} is not a number`;
    return { name, text: `${name}: ${problem} (${targetText})`, ratio: null, problem };
  }
  return { name, text: `${name} ${show(raw)}${unit}${per} (${targetText})`, ratio: value / wanted };
}

export interface HpaState {
  name: string;
  min: number;
  max: number;
  /** status.currentReplicas; null when the HPA has no status. */
  current: number | null;
  desired: number | null;
  metrics: MetricReading[];
  /** The ScalingLimited condition when it is True, e.g. "TooManyReplicas: the desired replica count is more …". */
  limited: { reason: string; message: string } | null;
  /** ScalingActive False: the controller cannot read its metrics. */
  inactive: { reason: string; message: string } | null;
  /** AbleToScale False: the controller cannot change the target's scale (e.g. FailedGetScale, FailedUpdateScale). */
  unable: { reason: string; message: string } | null;
}

export function readHpa(hpa: HorizontalPodAutoscaler): HpaState {
  const specs = hpa.spec?.metrics ?? [];
  const statuses = hpa.status?.currentMetrics ?? [];
  const condition = (type: string, status: string) => {
    const c = (hpa.status?.conditions ?? []).find((x) => x.type === type && x.status === status);
    return c ? { reason: c.reason ?? '', message: c.message ?? '' } : null;
  };
  const count = (value: unknown) => (typeof value === 'number' && Number.isInteger(value) ? value : null);
  return {
    name: hpa.metadata?.name ?? '?',
    min: count(hpa.spec?.minReplicas) ?? 1,
    max: count(hpa.spec?.maxReplicas) ?? 0,
    current: count(hpa.status?.currentReplicas),
    desired: count(hpa.status?.desiredReplicas),
    metrics: specs.map((spec, i) => readMetric(spec, statusFor(spec, i, statuses))),
    limited: condition('ScalingLimited', 'True'),
    inactive: condition('ScalingActive', 'False'),
    unable: condition('AbleToScale', 'False'),
  };
}

/** The metric with the highest load, when any has a value. */
export function hottestMetric(state: HpaState): MetricReading | null {
  const known = state.metrics.filter((m) => m.ratio !== null);
  return known.sort((a, b) => (b.ratio ?? 0) - (a.ratio ?? 0))[0] ?? null;
}

/** Replicas the load asks for (the controller's ceil(current × current/target), over the highest metric). */
export function wantedReplicas(state: HpaState): number | null {
  const hot = hottestMetric(state);
  if (!hot?.ratio || state.current === null) return null;
  return Math.ceil(state.current * hot.ratio);
}

/** What an HPA is set to and reports: its bounds and replica counts, each metric against its target, its conditions. */
export function hpaEvidence(hpa: HorizontalPodAutoscaler, s: HpaState): Evidence[] {
  const ref = hpa.spec?.scaleTargetRef;
  const evidence: Evidence[] = [
    {
      kind: 'spec',
      text: `HorizontalPodAutoscaler ${s.name} → ${ref ? `${ref.kind}/${ref.name}` : '?'}: minReplicas ${s.min}, maxReplicas ${s.max || '?'}, currentReplicas ${s.current ?? '?'}, desiredReplicas ${s.desired ?? '?'}`,
    },
    ...s.metrics.map((m): Evidence => ({ kind: 'metric', text: m.text })),
  ];
  const conditions: [string, { reason: string; message: string } | null][] = [
    ['ScalingLimited True', s.limited],
    ['ScalingActive False', s.inactive],
    ['AbleToScale False', s.unable],
  ];
  for (const [name, c] of conditions)
    if (c) evidence.push({ kind: 'status', text: `${name} (${c.reason}): ${c.message}` });
  return evidence;
}

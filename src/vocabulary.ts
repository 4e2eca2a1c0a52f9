/**
 * The fixed vocabulary of ../shared/ROOT_CAUSES.md: root-cause codes and action kinds.
 * Codes and kinds are for machines (Slack metadata, `medic diagnose --json`, tests); keep them exact.
 */
import { z } from 'zod';

export const ROOT_CAUSE_CODES = [
  'OOM_LIMIT',
  'SIDECAR_OOM_IDENTITY_CHURN',
  'NODE_MEMORY_EVICTION',
  'VOLUME_ATTACH_FAILURE',
  'VOLUME_ZONE_CONFLICT',
  'UNSAFE_ROLLOUT',
  'INSUFFICIENT_CAPACITY',
  'CRASHLOOP_APP_ERROR',
  'IMAGE_PULL_FAILURE',
  'TARGET_NOT_FOUND',
  'HPA_MAXED_OUT',
  'CPU_THROTTLING',
  'QUOTA_EXCEEDED',
  'CONFIG_MISSING',
  'PROBE_FAILURE',
  'JOB_FAILED',
  'EPHEMERAL_STORAGE_EVICTION',
  'NODE_NOT_READY',
  'VOLUME_FULL',
  'VOLUME_PROVISIONING_FAILED',
  'UNKNOWN',
] as const;
export type RootCauseCode = (typeof ROOT_CAUSE_CODES)[number];

export const ACTION_KINDS = [
  'scale',
  'set-memory-limit',
  'rollout-restart',
  'rollout-undo',
  'patch-rollout-safety',
  'delete-pod',
  'cordon-node',
  'silence',
  'set-hpa-max',
  'set-cpu-limit',
  'resize-pvc',
] as const;
export type ActionKind = (typeof ACTION_KINDS)[number];

/** `Deployment/name` or `StatefulSet/name` (DaemonSet too for template patches). */
export const workloadRef = z
  .string()
  .regex(/^(Deployment|StatefulSet|DaemonSet)\/[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'must look like Deployment/name');
const k8sName = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'must be a Kubernetes object name');
const quantity = z.string().regex(/^[0-9]+(\.[0-9]+)?(Ki|Mi|Gi|Ti|k|M|G|T)?$/, 'must be a memory quantity like 512Mi');
/** CPU as limits are written: whole or fractional cores (`2`, `0.5`) or millicores (`1500m`). */
const cpuQuantity = z.string().regex(/^([0-9]+(\.[0-9]+)?|[0-9]+m)$/, 'must be a CPU quantity like 2 or 1500m');
/** A storage size as a claim requests it (binary or decimal suffix, no fractions): `200Gi`, `1Ti`, `500G`. */
const storageSize = z.string().regex(/^[1-9][0-9]*(Ki|Mi|Gi|Ti|Pi|k|M|G|T|P)$/, 'must be a storage size like 200Gi');
const duration = z.string().regex(/^[0-9]+(s|m|h|d)$/, 'must be a duration like 2h');

/** Parameters of each action kind, as ROOT_CAUSES.md lists them. */
export const ACTION_PARAMS = {
  scale: z.strictObject({ namespace: k8sName, workload: workloadRef, replicas: z.number().int().min(0) }),
  'set-memory-limit': z.strictObject({
    namespace: k8sName,
    workload: workloadRef,
    container: k8sName,
    limit: quantity,
  }),
  'rollout-restart': z.strictObject({ namespace: k8sName, workload: workloadRef }),
  'rollout-undo': z.strictObject({
    namespace: k8sName,
    workload: workloadRef,
    toRevision: z.number().int().min(1).optional(),
  }),
  'patch-rollout-safety': z.strictObject({
    namespace: k8sName,
    workload: workloadRef,
    preStopSleepSeconds: z.number().int().min(1).max(600),
    terminationGracePeriodSeconds: z.number().int().min(1).max(3600),
    replicas: z.number().int().min(1).optional(),
  }),
  'delete-pod': z.strictObject({ namespace: k8sName, pod: k8sName }),
  'cordon-node': z.strictObject({ node: k8sName }),
  silence: z.strictObject({
    matchers: z
      .array(
        z.strictObject({
          name: z.string().min(1),
          value: z.string(),
          isRegex: z.boolean().default(false),
          isEqual: z.boolean().default(true),
        }),
      )
      .min(1),
    duration,
  }),
  'set-hpa-max': z.strictObject({ namespace: k8sName, hpa: k8sName, maxReplicas: z.number().int().min(1) }),
  'set-cpu-limit': z.strictObject({
    namespace: k8sName,
    workload: workloadRef,
    container: k8sName,
    limit: cpuQuantity,
  }),
  'resize-pvc': z.strictObject({ namespace: k8sName, pvc: k8sName, size: storageSize }),
} satisfies Record<ActionKind, z.ZodType>;

export type ActionParams<K extends ActionKind> = z.infer<(typeof ACTION_PARAMS)[K]>;

/** Kinds that change running pods or node scheduling: their buttons are red and ask for confirmation. */
export const RISKY_ACTION_KINDS: ReadonlySet<ActionKind> = new Set([
  'rollout-undo',
  'rollout-restart',
  'delete-pod',
  'cordon-node',
  'scale',
  // A volume can grow but never shrink again: the change cannot be undone.
  'resize-pvc',
]);

export function isRootCauseCode(value: unknown): value is RootCauseCode {
  return typeof value === 'string' && (ROOT_CAUSE_CODES as readonly string[]).includes(value);
}

export function isActionKind(value: unknown): value is ActionKind {
  return typeof value === 'string' && (ACTION_KINDS as readonly string[]).includes(value);
}

/**
 * What an action's params point at, for people and audit lines: `ads/Deployment/api`, `shop/HorizontalPodAutoscaler/checkout`,
 * `db/PersistentVolumeClaim/data-pg-0`, a node's name, or the namespace (or `cluster`) when nothing narrower is named.
 */
export function describeActionTarget(params: Record<string, unknown>): string {
  const ns = typeof params.namespace === 'string' ? `${params.namespace}/` : '';
  const name =
    params.workload ??
    params.pod ??
    params.node ??
    (typeof params.hpa === 'string' ? `HorizontalPodAutoscaler/${params.hpa}` : undefined) ??
    (typeof params.pvc === 'string' ? `PersistentVolumeClaim/${params.pvc}` : undefined);
  if (typeof name === 'string') return `${ns}${name}`;
  return ns ? ns.slice(0, -1) : 'cluster';
}

/** What a proposal acts on, with its cluster when Medic serves several: `prod-eu · ads/Deployment/api`. */
export function describeProposalTarget(proposal: {
  cluster?: string | undefined;
  params: Record<string, unknown>;
}): string {
  const target = describeActionTarget(proposal.params);
  return proposal.cluster ? `${proposal.cluster} · ${target}` : target;
}

/**
 * A value as a key: object keys sorted, so equal values written in another order give the same key (an action's
 * params here; the alert fields a diagnosis read, src/pipeline/shared-diagnoses.ts).
 */
export function stableKey(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableKey).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableKey(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'undefined';
}

/** One action as a key (kind and params, object keys in any order): the same key is the same change. */
export function actionKey(kind: string, params: unknown): string {
  return `${kind}|${stableKey(params)}`;
}

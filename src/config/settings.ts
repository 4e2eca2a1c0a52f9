/** medic.yaml: every key optional, unknown keys an error (a typo must not silently disable a guard rail). */
import { z } from 'zod';
import { parseQuantity } from '../quantity.js';
import { ACTION_KINDS, type ActionKind } from '../vocabulary.js';
import { parseDuration } from './duration.js';

const durationMs = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const ms = typeof value === 'number' ? value * 1000 : parseDuration(value);
  if (ms === null || ms <= 0) {
    ctx.addIssue({ code: 'custom', message: `"${value}" is not a duration like 30m, 1h or 2d` });
    return z.NEVER;
  }
  return ms;
});

/** A storage size (`2Ti`, `500Gi`) as bytes. */
const storageQuantity = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const bytes = parseQuantity(value);
  if (bytes === null || bytes <= 0) {
    ctx.addIssue({ code: 'custom', message: `"${value}" is not a storage size like 500Gi or 2Ti` });
    return z.NEVER;
  }
  return bytes;
});

const slackId = z.string().regex(/^[US][A-Z0-9]{2,}$/, 'must be a Slack user ID (U…) or user-group ID (S…)');

const channelRoute = z.strictObject({
  match: z
    .strictObject({
      namespace: z.string().optional(),
      /** A configured cluster's name (`clusters`), so one cluster's alerts can have a channel of their own. */
      cluster: z.string().optional(),
      labels: z.record(z.string(), z.string()).optional(),
    })
    .refine(
      (m) => m.namespace !== undefined || m.cluster !== undefined || m.labels !== undefined,
      'give a namespace, a cluster or labels to match',
    ),
  channel: z.string().min(1),
});

const sidecarRule = z.strictObject({
  name: z.string().min(1),
  images: z.array(z.string().min(1)).default([]),
  names: z.array(z.string().min(1)).default([]),
});

const ownerPolicy = z.enum(['warn', 'refuse', 'allow']);

export const DEFAULT_SIDECARS = [
  { name: 'consul', images: ['consul', 'hashicorp/consul'], names: ['consul', 'consul-client', 'consul-agent'] },
];

const remediationFields = {
  namespaces: z.array(z.string().min(1)),
  denyNamespaces: z.array(z.string().min(1)),
  kinds: z.array(z.enum(ACTION_KINDS)),
  maxExecutionsPerHour: z.number().int().min(0),
  maxCordonNodes: z.number().int().min(0),
};

const remediationSchema = z.strictObject({
  namespaces: remediationFields.namespaces.default(['*']),
  denyNamespaces: remediationFields.denyNamespaces.default(['kube-system']),
  kinds: remediationFields.kinds.default([...ACTION_KINDS]),
  maxExecutionsPerHour: remediationFields.maxExecutionsPerHour.default(20),
  maxCordonNodes: remediationFields.maxCordonNodes.default(2),
});

/**
 * A cluster name is an alert label's value and part of Redis keys, metric labels and thread headers: letters,
 * digits, `.`, `_` and `-`, as cluster names in kubeconfigs and Prometheus external labels usually are.
 */
export const CLUSTER_NAME = /^[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$/;

/** One entry of `clusters`: its name, where its API is (exactly one way), and what it overrides. */
const clusterSchema = z
  .strictObject({
    name: z.string().regex(CLUSTER_NAME, 'must be letters, digits, ".", "_" or "-" (at most 63), like prod-eu'),
    context: z.string().min(1).optional(),
    kubeconfig: z.string().min(1).optional(),
    inCluster: z.literal(true).optional(),
    /** Replaces the global `approvers` for this cluster's proposals. */
    approvers: z.array(slackId).optional(),
    /** Replaces single `remediation` settings for this cluster; the rest come from the global ones. */
    remediation: z.strictObject(remediationFields).partial().optional(),
  })
  .refine((c) => [c.context, c.kubeconfig, c.inCluster].filter((v) => v !== undefined).length <= 1, {
    message: 'give one of context, kubeconfig or inCluster, not several',
  });

export type ClusterSetting = z.infer<typeof clusterSchema>;

/**
 * How long after a successful action Medic diagnoses its target again (src/incidents/verify.ts). A changed pod
 * template needs its rollout to finish before the new pods can show anything, so those kinds wait the default;
 * a cordon or a scale takes effect within seconds.
 */
export const DEFAULT_VERIFICATION_DELAYS: Partial<Record<ActionKind, number>> = {
  'cordon-node': 30_000,
  scale: 60_000,
  'delete-pod': 60_000,
  'set-hpa-max': 60_000,
};

export const settingsSchema = z.strictObject({
  approvers: z.array(slackId).default([]),
  selfApproval: z.array(z.enum(ACTION_KINDS)).default([]),
  proposals: z.strictObject({ ttl: durationMs.default(3_600_000) }).prefault({}),
  remediation: remediationSchema.prefault({}),
  scale: z
    .strictObject({
      min: z.number().int().min(0).default(1),
      max: z.number().int().min(1).default(50),
      maxFactor: z.number().min(1).default(10),
    })
    .refine((s) => s.min <= s.max, { message: 'min must not exceed max', path: ['min'] })
    .prefault({}),
  /** resize-pvc bounds: never above maxSize, never more than maxGrowthFactor × the claim's current size at once. */
  volumes: z
    .strictObject({
      maxSize: storageQuantity.default(2 * 2 ** 40),
      maxGrowthFactor: z.number().gt(1).max(10).default(2),
    })
    .prefault({}),
  /**
   * Workloads a GitOps tool syncs (src/remediation/ownership.ts): `warn` keeps the button and shows the change
   * to commit, `refuse` offers only the change to commit, `allow` patches as if nothing owned the object.
   */
  managedBy: z
    .strictObject({
      argocd: ownerPolicy.default('warn'),
      flux: ownerPolicy.default('warn'),
      helm: ownerPolicy.default('warn'),
    })
    .prefault({}),
  channels: z.array(channelRoute).default([]),
  sidecars: z.array(sidecarRule).default(DEFAULT_SIDECARS),
  /** The alert label that names the cluster (Prometheus external labels usually carry `cluster`). */
  clusterLabel: z
    .string()
    .regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'must be a Prometheus label name')
    .default('cluster'),
  /** Where alerts without the cluster label go; a name from `clusters`. */
  defaultCluster: z.string().min(1).optional(),
  /** Several clusters from one Medic; absent: the one cluster of MEDIC_KUBE_SERVER, KUBECONFIG or in-cluster. */
  clusters: z.array(clusterSchema).min(1, 'must list at least one cluster (or leave "clusters" out)').optional(),
  /** After an action succeeds: wait `delays[kind]` (else `delay`), diagnose its target again, post the result. */
  verification: z
    .strictObject({
      delay: durationMs.default(120_000),
      delays: z.partialRecord(z.enum(ACTION_KINDS), durationMs).default({}),
    })
    // A per-kind default never makes a check later than the `delay` the team chose.
    .transform((v) => {
      const sooner = Object.entries(DEFAULT_VERIFICATION_DELAYS).map(([kind, ms]) => [kind, Math.min(ms, v.delay)]);
      return {
        delay: v.delay,
        delays: { ...Object.fromEntries(sooner), ...v.delays } as Partial<Record<ActionKind, number>>,
      };
    })
    .prefault({}),
});

export type Settings = z.infer<typeof settingsSchema>;
export type SidecarRule = Settings['sidecars'][number];
export type OwnerPolicy = z.infer<typeof ownerPolicy>;

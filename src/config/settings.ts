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
    .strictObject({ namespace: z.string().optional(), labels: z.record(z.string(), z.string()).optional() })
    .refine((m) => m.namespace !== undefined || m.labels !== undefined, 'give a namespace or labels to match'),
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
  remediation: z
    .strictObject({
      namespaces: z.array(z.string().min(1)).default(['*']),
      denyNamespaces: z.array(z.string().min(1)).default(['kube-system']),
      kinds: z.array(z.enum(ACTION_KINDS)).default([...ACTION_KINDS]),
      maxExecutionsPerHour: z.number().int().min(0).default(20),
      maxCordonNodes: z.number().int().min(0).default(2),
    })
    .prefault({}),
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

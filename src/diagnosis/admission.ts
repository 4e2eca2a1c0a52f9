/**
 * The API server's admission refusals of a pod, as controllers report them in FailedCreate events
 * ("Error creating: pods "x-…" is forbidden: …"). Texts from kubernetes' admission plugins:
 * resourcequota `exceeded quota: %s, requested: %s, used: %s, limited: %s` (each list `name=qty,name=qty`, sorted),
 * `failed quota: %s: %v` (e.g. "must specify limits.cpu for: app"), `status unknown for quota: %s…`, and limitranger
 * `maximum|minimum %s usage per %s is %s, but limit|request is %s` and `maximum %s limit to request ratio per %s is
 * %s, but provided ratio is %f` (several are joined as "[a, b]"). Refusals that are no quota or limit: Pod Security
 * Admission's `violates PodSecurity "restricted:latest": …`, an admission webhook's `admission webhook "x" denied the
 * request: …`, a webhook the API server could not call (`failed calling webhook "x": …`, reported only when the
 * webhook's failurePolicy is Fail), and the serviceaccount plugin's `error looking up service account ns/x:
 * serviceaccount "x" not found`. And the other way round: the highest limit a LimitRange lets a container have,
 * before a fix asks for more.
 */
import type { LimitRange } from '../kube/reader.js';
import { parseCpuMillis, parseQuantity } from '../quantity.js';

export interface QuotaRefusal {
  type: 'quota';
  quota: string;
  /** Resource → quantity, only the resources that were exceeded. */
  requested: Record<string, string>;
  used: Record<string, string>;
  limited: Record<string, string>;
}

export interface QuotaRuleRefusal {
  type: 'quota-rule';
  quota: string;
  /** "must specify limits.cpu for: app", "status unknown for quota …". */
  reason: string;
}

export interface LimitRangeRefusal {
  type: 'limitrange';
  bound: 'maximum' | 'minimum' | 'ratio';
  resource: string;
  /** Container, Pod or PersistentVolumeClaim. */
  per: string;
  allowed: string;
  /** "limit is 2Gi", "request is 50m", "provided ratio is 4.000000". */
  actual: string;
}

/** A refusal by an admission rule that is no quota or limit: a security policy, a webhook, a missing ServiceAccount. */
export interface PolicyRefusal {
  type: 'policy';
  by: 'pod-security' | 'webhook-denied' | 'webhook-unreachable' | 'service-account';
  /** The PodSecurity level ("restricted:latest"), the webhook's name, or "namespace/serviceaccount". */
  name: string;
  /** What the rule says: the violations, the webhook's message, the call's error. */
  reason: string;
}

export type AdmissionRefusal = QuotaRefusal | QuotaRuleRefusal | LimitRangeRefusal | PolicyRefusal;

function resourceList(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of text.split(',')) {
    const [name, qty] = part.trim().split('=');
    if (name && qty) out[name] = qty;
  }
  return out;
}

const EXCEEDED = /exceeded quota: ([^,]+), requested: (\S+), used: (\S+), limited: ([^\s\]]+?)(?=,\s|[\s\]]|$)/i;
const FAILED_QUOTA = /failed quota: ([^:]+): ([^\]]+)/i;
const UNKNOWN_STATUS = /status unknown for quota: ([^,\]]+)/i;
const USAGE =
  /(maximum|minimum) (\S+) usage per (\w+) is ([^,\s]+), but (limit|request) is ([^,\s\]]+?)\.?(?=[,\]]|\s|$)/gi;
const RATIO = /maximum (\S+) limit to request ratio per (\w+) is ([^,\s]+), but provided ratio is ([0-9.]+)/gi;
const POLICIES: { by: PolicyRefusal['by']; pattern: RegExp }[] = [
  { by: 'pod-security', pattern: /violates PodSecurity "([^"]+)":\s*([\s\S]+)/ },
  { by: 'webhook-denied', pattern: /admission webhook "([^"]+)" denied the request:?\s*([\s\S]*)/ },
  { by: 'webhook-unreachable', pattern: /failed calling webhook "([^"]+)":\s*([\s\S]+)/ },
  { by: 'service-account', pattern: /error looking up service account ([^:\s]+):\s*([\s\S]+)/ },
];

/** Every refusal a FailedCreate message names; empty when it is no admission refusal (e.g. a name already taken). */
export function parseAdmissionRefusals(message: string): AdmissionRefusal[] {
  const found: AdmissionRefusal[] = [];
  const exceeded = EXCEEDED.exec(message);
  if (exceeded) {
    found.push({
      type: 'quota',
      quota: exceeded[1]?.trim() ?? '',
      requested: resourceList(exceeded[2] ?? ''),
      used: resourceList(exceeded[3] ?? ''),
      limited: resourceList(exceeded[4] ?? ''),
    });
  }
  const failed = FAILED_QUOTA.exec(message);
  if (failed) found.push({ type: 'quota-rule', quota: failed[1]?.trim() ?? '', reason: failed[2]?.trim() ?? '' });
  const unknown = UNKNOWN_STATUS.exec(message);
  if (unknown)
    found.push({
      type: 'quota-rule',
      quota: unknown[1]?.trim() ?? '',
      reason: 'its usage is not counted yet (status unknown)',
    });
  for (const m of message.matchAll(USAGE)) {
    found.push({
      type: 'limitrange',
      bound: (m[1]?.toLowerCase() ?? 'maximum') as 'maximum' | 'minimum',
      resource: m[2] ?? '',
      per: m[3] ?? '',
      allowed: m[4] ?? '',
      actual: `${m[5]} is ${m[6]}`,
    });
  }
  for (const m of message.matchAll(RATIO)) {
    found.push({
      type: 'limitrange',
      bound: 'ratio',
      resource: m[1] ?? '',
      per: m[2] ?? '',
      allowed: m[3] ?? '',
      actual: `provided ratio is ${Number(m[4])}`,
    });
  }
  if (found.length > 0) return found;
  for (const { by, pattern } of POLICIES) {
    const m = pattern.exec(message);
    if (m) return [{ type: 'policy', by, name: m[1] ?? '', reason: (m[2] ?? '').replace(/\s+/g, ' ').trim() }];
  }
  return found;
}

/** "requests.cpu=2" for people. */
export function resourceText(list: Record<string, string>): string {
  return Object.entries(list)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
}

/** The most a container may have of a resource in a namespace, and the LimitRange that says so. */
export interface ContainerCeiling {
  /** As written in the LimitRange, e.g. `1Gi`, `2`. */
  value: string;
  /** Bytes for memory, millicores for CPU. */
  amount: number;
  limitRange: string;
}

/**
 * The lowest `max` for one container among the namespace's LimitRanges: the limitranger admission plugin refuses
 * a pod whose container limit is above it ("maximum memory usage per Container is 1Gi, but limit is 2Gi"), so a
 * template patch above it leaves the new pods uncreated (FailedCreate) and the rollout stuck.
 */
export function containerCeiling(ranges: LimitRange[], resource: 'memory' | 'cpu'): ContainerCeiling | null {
  let lowest: ContainerCeiling | null = null;
  for (const range of ranges) {
    for (const item of range.spec?.limits ?? []) {
      const value = item.type === 'Container' ? item.max?.[resource] : undefined;
      const amount = resource === 'cpu' ? parseCpuMillis(value) : parseQuantity(value);
      if (value === undefined || amount === null || (lowest && lowest.amount <= amount)) continue;
      lowest = { value: String(value), amount, limitRange: range.metadata?.name ?? '?' };
    }
  }
  return lowest;
}

/**
 * How far a limit may be raised from `current` towards `wanted` under the ceiling: `atCeiling` when the container
 * already has the most it may (no raise would be admitted), else the amount, with `cappedBy` the ceiling that cut it.
 */
export function raiseUnder(
  ceiling: ContainerCeiling | null,
  current: number,
  wanted: number,
): { atCeiling: ContainerCeiling } | { amount: number; cappedBy: ContainerCeiling | null } {
  if (!ceiling || wanted <= ceiling.amount) return { amount: wanted, cappedBy: null };
  return ceiling.amount <= current ? { atCeiling: ceiling } : { amount: ceiling.amount, cappedBy: ceiling };
}

/** What to say instead of a raise for a container already at its LimitRange's maximum (`has`: its limit, in words). */
export function atCeilingWords(
  ceiling: ContainerCeiling,
  container: string,
  has: string,
  resource: 'memory' | 'cpu',
): { advice: string; headline: string } {
  const [what, less] = resource === 'cpu' ? ['CPU', 'need less CPU'] : ['memory', 'use less memory'];
  return {
    advice: `LimitRange ${ceiling.limitRange} allows at most ${ceiling.value} of ${what} per container, and ${container} already has ${has}: a higher limit would be refused when the new pods are created (FailedCreate), leaving the rollout stuck. Ask for the LimitRange's maximum to be raised, or make the app ${less}.`,
    headline: `LimitRange ${ceiling.limitRange} caps containers at ${ceiling.value}${resource === 'cpu' ? ' of CPU' : ''}, which it already has: raise the LimitRange, or make the app ${less}.`,
  };
}

/**
 * Why a workload's pods cannot be created: the FailedCreate refusal its controller reported (events on the
 * ReplicaSet, StatefulSet, DaemonSet or Job, or the ReplicaFailure condition), and the replicas it is short of.
 */
import {
  type Deployment,
  eventTime,
  type KubeEvent,
  type PodSpec,
  type ResourceQuota,
  type Workload,
} from '../kube/reader.js';
import { formatCpu, formatMemory, parseCpuMillis, parseQuantity } from '../quantity.js';
import { type AdmissionRefusal, parseAdmissionRefusals, type QuotaRefusal } from './admission.js';
import type { PlaybookContext } from './playbook.js';

export interface Shortfall {
  wanted: number;
  ready: number;
  /** Pods that exist (ready or not). */
  current: number;
}

interface WorkloadStatus {
  replicas?: number;
  readyReplicas?: number;
  desiredNumberScheduled?: number;
  currentNumberScheduled?: number;
  numberReady?: number;
  active?: number;
  conditions?: { type?: string; status?: string; reason?: string; message?: string }[];
}

/** Wanted vs ready replicas; null when the workload is not short (a Job counts its parallelism). */
export function shortfallOf(w: Workload): Shortfall | null {
  const spec = (w.object.spec ?? {}) as { replicas?: number; parallelism?: number };
  const s = (w.object.status ?? {}) as WorkloadStatus;
  let wanted: number;
  let ready: number;
  let current: number;
  if (w.kind === 'DaemonSet') {
    wanted = s.desiredNumberScheduled ?? 0;
    ready = s.numberReady ?? 0;
    current = s.currentNumberScheduled ?? 0;
  } else if (w.kind === 'Job') {
    if (s.conditions?.some((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True')) return null;
    wanted = spec.parallelism ?? 1;
    current = s.active ?? 0;
    ready = current;
  } else {
    wanted = spec.replicas ?? 1;
    ready = s.readyReplicas ?? 0;
    current = s.replicas ?? 0;
  }
  return ready < wanted || current < wanted ? { wanted, ready, current } : null;
}

export interface Refused {
  /** "ReplicaSet recommender-6f8d9c7b54". */
  reporter: string;
  /** Pods the reporting ReplicaSet wants but does not have (a rollout whose new pods are refused); 0 otherwise. */
  missing: number;
  message: string;
  event: KubeEvent | null;
  refusals: AdmissionRefusal[];
}

/** The latest admission refusal of the workload's pods, from events, else from a ReplicaFailure condition. */
export async function findRefusal(ctx: PlaybookContext, w: Workload): Promise<Refused | null> {
  const reporters: { kind: string; name: string; status?: WorkloadStatus; missing: number }[] = [];
  if (w.kind === 'Deployment') {
    // The newest two revisions: during a rollout the old ReplicaSet may be the one creating pods.
    const revisions = await ctx.read(ctx.reader.replicaSetsOf(w.object as Deployment), []);
    for (const { replicaSet: rs } of revisions.slice(0, 2)) {
      const missing = Math.max((rs.spec?.replicas ?? 0) - (rs.status?.replicas ?? 0), 0);
      reporters.push({ kind: 'ReplicaSet', name: rs.metadata?.name ?? '', status: rs.status, missing });
    }
  }
  reporters.push({ kind: w.kind, name: w.name, status: w.object.status as WorkloadStatus, missing: 0 });
  let latest: Refused | null = null;
  let latestTime = -1;
  for (const r of reporters) {
    // A ReplicaSet with every pod it wants has nothing refused now: its events cost a request and tell nothing.
    if (r.kind === 'ReplicaSet' && r.missing === 0) continue;
    const events = await ctx.read(ctx.reader.eventsFor(w.namespace, r.kind, r.name), []);
    for (const e of events) {
      if (e.reason !== 'FailedCreate' || !e.message) continue;
      const refusals = parseAdmissionRefusals(e.message);
      const t = eventTime(e);
      if (refusals.length > 0 && t >= latestTime) {
        latest = { reporter: `${r.kind} ${r.name}`, missing: r.missing, message: e.message, event: e, refusals };
        latestTime = t;
      }
    }
  }
  if (latest) return latest;
  // Events expire (1 h by default); the ReplicaFailure condition stays while the refusal lasts.
  for (const r of reporters) {
    const c = r.status?.conditions?.find((x) => x.type === 'ReplicaFailure' && x.status === 'True');
    const refusals = parseAdmissionRefusals(c?.message ?? '');
    if (c?.message && refusals.length > 0)
      return { reporter: `${r.kind} ${r.name}`, missing: r.missing, message: c.message, event: null, refusals };
  }
  return null;
}

/** A quota resource's quantity as a number in its own unit (cores → millicores, bytes, counts). */
function quantityOf(resource: string, qty: string): number | null {
  return resource.includes('cpu') ? parseCpuMillis(qty) : parseQuantity(qty);
}

export function formatResource(resource: string, value: number): string {
  if (resource.includes('cpu')) return formatCpu(Math.ceil(value));
  if (/memory|storage/.test(resource)) return formatMemory(value);
  return String(Math.ceil(value));
}

/** For each exceeded resource: what one pod asks, what is used and allowed, and the hard limit the shortfall needs. */
export function quotaNeeds(
  r: QuotaRefusal,
  missing: number,
): { resource: string; text: string; need: string | null }[] {
  return Object.keys(r.limited).map((resource) => {
    const requested = r.requested[resource] ?? '?';
    const used = r.used[resource] ?? '?';
    const limited = r.limited[resource] ?? '?';
    const [req, use] = [quantityOf(resource, requested), quantityOf(resource, used)];
    const need = req !== null && use !== null && missing > 0 ? formatResource(resource, use + req * missing) : null;
    return {
      resource,
      text: `${resource}: each pod asks ${requested}, ${used} of ${limited} already used`,
      need,
    };
  });
}

/** What a ResourceQuota object says now; `missing` names what it lacks (no status.used: usage not counted). */
export function quotaState(q: ResourceQuota, exceeded: Set<string>): { text: string; missing: string | null } {
  const name = q.metadata?.name ?? '?';
  const hard = q.status?.hard ?? q.spec?.hard ?? {};
  const used = q.status?.used;
  if (!used) {
    const limits = Object.entries(hard)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
    return {
      text: `ResourceQuota ${name} (hard: ${limits || 'none'}) has no status.used: the quota controller has not counted its usage, so used vs hard comes from the refusal only`,
      missing: `status.used of ResourceQuota ${name}`,
    };
  }
  const parts = Object.entries(hard).map(
    ([k, h]) => `${k} ${used[k] ?? '0'}/${h}${exceeded.has(k) ? ' (no room for the next pod)' : ''}`,
  );
  return { text: `ResourceQuota ${name} now, used/hard: ${parts.join(', ')}`, missing: null };
}

/** How many more pods like `spec` the namespace's ResourceQuotas admit, and the quota and resource that decide. */
export interface QuotaRoom {
  fits: number;
  quota: string;
  resource: string;
  /** "requests.cpu 5600m of 6 used, each pod asks 700m". */
  text: string;
}

/** What one pod counts against a quota resource (containers summed; the compute resources a quota can hold). */
function podCharge(resource: string, spec: PodSpec): number | null {
  if (resource === 'pods' || resource === 'count/pods') return 1;
  const m = /^(requests\.|limits\.)?(cpu|memory)$/.exec(resource);
  if (!m) return null;
  const kind = m[1] === 'limits.' ? 'limits' : 'requests';
  const name = m[2] as 'cpu' | 'memory';
  const total = (spec.containers ?? []).reduce((sum, c) => {
    const q = c.resources?.[kind]?.[name] ?? (kind === 'requests' ? c.resources?.limits?.[name] : undefined);
    return sum + (q === undefined ? 0 : (quantityOf(name, q) ?? 0));
  }, 0);
  return total > 0 ? total : null;
}

/**
 * The tightest of the namespace's ResourceQuotas for more pods like `spec`: more replicas than this are refused at
 * creation (FailedCreate: exceeded quota) whatever room the nodes have. Null when no counted, unscoped quota limits
 * them.
 */
export function quotaRoom(quotas: ResourceQuota[], spec: PodSpec | undefined): QuotaRoom | null {
  let tightest: QuotaRoom | null = null;
  for (const q of quotas) {
    const hard = q.status?.hard ?? q.spec?.hard ?? {};
    const used = q.status?.used;
    // A scoped quota (BestEffort, NotTerminating, a PriorityClass…) counts only the pods its scopes match, which
    // this reading does not decide: it bounds nothing here.
    const scoped = (q.spec?.scopes ?? []).length > 0 || q.spec?.scopeSelector !== undefined;
    if (!used || scoped) continue;
    for (const [resource, limit] of Object.entries(hard)) {
      const charge = spec ? podCharge(resource, spec) : null;
      const [h, u] = [quantityOf(resource, limit), quantityOf(resource, used[resource] ?? '0')];
      if (charge === null || h === null || u === null) continue;
      const fits = Math.max(0, Math.floor((h - u) / charge));
      if (tightest && fits >= tightest.fits) continue;
      tightest = {
        fits,
        quota: q.metadata?.name ?? '?',
        resource,
        text: `${resource} ${used[resource] ?? '0'} of ${limit} used, each pod asks ${formatResource(resource, charge)}`,
      };
    }
  }
  return tightest;
}

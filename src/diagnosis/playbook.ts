/** The playbook contract (STYLE.md): one object per failure mode, listed in playbooks/index.ts. */
import type { AlertEvent } from '../alertmanager/payload.js';
import type { Settings } from '../config/settings.js';
import { errorMessage } from '../errors.js';
import { isKubeError } from '../kube/errors.js';
import type {
  ClusterReader,
  Node,
  PersistentVolume,
  PersistentVolumeClaim,
  Pod,
  PodDisruptionBudget,
  Service,
  Workload,
} from '../kube/reader.js';
import type { Logger } from '../logger.js';
import type { Confidence, Evidence, ProposedAction, Target } from '../types.js';
import type { RootCauseCode } from '../vocabulary.js';

export type TargetKind =
  | 'Pod'
  | 'Deployment'
  | 'StatefulSet'
  | 'DaemonSet'
  | 'Job'
  | 'Service'
  | 'Node'
  | 'PersistentVolumeClaim'
  | 'PersistentVolume'
  | 'HorizontalPodAutoscaler'
  | 'PodDisruptionBudget';

/** What the alert is about, resolved against the cluster. */
export interface ResolvedTarget {
  kind: TargetKind;
  namespace?: string;
  name: string;
  /** False when the named object no longer exists (TARGET_NOT_FOUND). */
  found: boolean;
  /** True when the cluster could not be asked about it (the query failed): nothing is known. */
  unreadable?: boolean;
  /** "Pod notify/mailer-7b5d9f8c64-kx2vw", for people. */
  description: string;
  /** The controller of the pods, when there is exactly one. */
  workload: Workload | null;
  /** The pods the alert is about: the pod itself, a workload's or service's pods, the pods using a volume… */
  pods: Pod[];
  /** The container the alert names, when that container exists in the pods. */
  container?: string;
  /** How the target was reached when it is not the object the labels name (an exporter's server): a sentence. */
  via?: string;
  service?: Service;
  node?: Node;
  pvc?: PersistentVolumeClaim;
  pv?: PersistentVolume;
  pdb?: PodDisruptionBudget;
}

/**
 * Whether the target's pods are what the alert is about. A node alert (disk, kubelet, NotReady…) resolves to every
 * pod on the node: one unrelated pod that cannot pull its image or crash-loops there does not explain it, so the
 * playbooks about one workload's failing pods skip node targets (the eviction and node playbooks read them).
 */
export function isAboutPods(target: ResolvedTarget | null | undefined): target is ResolvedTarget {
  return target?.found === true && target.kind !== 'Node';
}

export interface PlaybookContext {
  event: AlertEvent;
  reader: ClusterReader;
  logger: Logger;
  signal: AbortSignal;
  now: () => number;
  settings: Settings;
  /** PROMETHEUS_URL, when set: playbooks that need history (throttled share, usage over time) ask it. */
  prometheusUrl?: string | undefined;
  /** null when the alert names nothing in the cluster (no pod, workload, service, node or volume labels). */
  target: ResolvedTarget | null;
  /**
   * Awaits a cluster query; when it fails, records an evidence line, marks the diagnosis partial and returns
   * `fallback`, so one failed query never stops a diagnosis.
   */
  read<T>(query: Promise<T>, fallback: T): Promise<T>;
}

export interface PlaybookResult {
  rootCause: { code: RootCauseCode; summary: string; confidence: Confidence };
  evidence: Evidence[];
  actions: ProposedAction[];
  /** True when an input the diagnosis needed was missing or unusable (the evidence says which). */
  partial?: boolean;
  /**
   * What the diagnosis is about when the alert's labels name nothing Medic resolves (a quota rule: the workload
   * its ResourceQuota refused); ignored when they do.
   */
  target?: Target;
}

/** When the alert started firing (its `startsAt`), or now when Alertmanager sent none that parses. */
export function alertStartMs(ctx: Pick<PlaybookContext, 'event' | 'now'>): number {
  return Date.parse(ctx.event.alert.startsAt) || ctx.now();
}

/**
 * How long before the alert started a pod's past failure (an OOM kill, an eviction) can still explain it. Older
 * ones are history: a terminated container keeps its last state, and a Failed, evicted pod stays listed until
 * someone deletes it or the garbage collector's threshold (12,500 terminated pods by default) is reached — days.
 */
export const RELEVANT_BEFORE_ALERT_MS = 6 * 3600_000;

/** True when `at` is known and lies further before the alert's start than RELEVANT_BEFORE_ALERT_MS. */
export function tooOldToExplain(at: Date | undefined, startMs: number): boolean {
  return at !== undefined && !Number.isNaN(at.getTime()) && at.getTime() < startMs - RELEVANT_BEFORE_ALERT_MS;
}

export interface Playbook {
  name: string;
  rootCauses: readonly RootCauseCode[];
  /** Pure: does this alert look like something this playbook can diagnose? */
  matches(event: AlertEvent): boolean;
  /** The diagnosis, or null for "not mine". */
  diagnose(ctx: PlaybookContext): Promise<PlaybookResult | null>;
}

/** Collects failed queries of one diagnosis as evidence. */
export class QueryFailures {
  readonly evidence: Evidence[] = [];

  constructor(private readonly logger: Logger) {}

  get partial(): boolean {
    return this.evidence.length > 0;
  }

  read = async <T>(query: Promise<T>, fallback: T): Promise<T> => {
    try {
      return await query;
    } catch (error) {
      if (!isKubeError(error)) throw error;
      this.logger.warn({ err: error, status: error.status }, 'cluster query failed; diagnosing without it');
      const text = `Cluster query failed, diagnosis made without it: ${errorMessage(error)}`;
      if (!this.evidence.some((e) => e.text === text)) this.evidence.push({ kind: 'status', text });
      return fallback;
    }
  };
}

/** The shape every action kind implements (one module per kind in ./actions, listed in ./actions/index.ts). */
import type { SilenceClient } from '../alertmanager/silences.js';
import type { Settings } from '../config/settings.js';
import type { ClusterWriter } from '../kube/writer.js';
import type { DiffLine, Precondition } from '../types.js';
import type { ActionKind, ActionParams } from '../vocabulary.js';
import type { ObjectMetadata } from './ownership.js';

export interface ActionContext {
  writer: ClusterWriter;
  settings: Settings;
  /** Absent when ALERTMANAGER_URL is not configured. */
  silences: SilenceClient | undefined;
  now: () => number;
  signal: AbortSignal | undefined;
  /** Set at execution: names the proposal in what Medic leaves behind (silence comments). */
  proposal?: { id: string; title: string };
}

/** One object a plan changes, as its manifest would hold the change (what a GitOps repository must get). */
export interface ManifestEdit {
  kind: string;
  namespace?: string;
  name: string;
  /** The object's labels and annotations as read: who syncs it (ownership.ts). */
  metadata: ObjectMetadata;
  /** The fields the change sets, at their path in the manifest (containers by name, as strategic merge). */
  fields: Record<string, unknown>;
}

/** A change worked out against the cluster as it is now. */
export interface Plan {
  diff: DiffLine[];
  notes: string[];
  /**
   * The objects the change lands in, for kinds whose change a manifest holds (limits, replicas, HPA bounds,
   * claim sizes, pod templates). Absent for a restart, a pod deletion, a cordon or a silence: no sync undoes them.
   */
  edits?: ManifestEdit[];
  /** What must still hold at execution for the change to be the one that was approved. */
  precondition?: Precondition;
  /** Performs the change (`dryRun`: the API server checks it and stores nothing); returns a one-line summary. */
  apply(dryRun: boolean): Promise<string>;
}

export interface ActionHandler<K extends ActionKind> {
  kind: K;
  /** The namespace the change lands in (allow-lists, circuit breaker); undefined when cluster-scoped. */
  namespaceOf(params: ActionParams<K>): string | undefined;
  /**
   * Names a lock held from planning to applying at execution, when the kind's guard rails count the cluster
   * (cordoned nodes): two workers must not both pass the check before either applies.
   */
  exclusive?: string;
  /** Reads the cluster, checks the kind's own guard rails (throws MedicError), and plans the change. */
  plan(ctx: ActionContext, params: ActionParams<K>): Promise<Plan>;
}

/** Medic's shared data types: the diagnosis (SPEC.md "Diagnosis"), proposals and outcomes. */
import type { AlertEvent } from './alertmanager/payload.js';
import type { ActionKind, RootCauseCode } from './vocabulary.js';

export type EvidenceKind = 'status' | 'event' | 'spec' | 'metric' | 'log';
export interface Evidence {
  kind: EvidenceKind;
  text: string;
}

export type Confidence = 'high' | 'medium' | 'low';
export type Risk = 'low' | 'medium' | 'high';

export interface WorkloadRef {
  kind: 'Deployment' | 'StatefulSet' | 'DaemonSet' | 'ReplicaSet' | 'Job' | 'CronJob';
  name: string;
}

export interface Target {
  kind: string;
  namespace?: string;
  name: string;
  workload?: WorkloadRef;
}

export interface ProposedAction {
  kind: ActionKind;
  title: string;
  params: Record<string, unknown>;
  risk: Risk;
}

export interface Diagnosis {
  alert: { fingerprint: string; alertname: string; status: 'firing' | 'resolved' };
  playbook: string;
  target: Target | null;
  rootCause: { code: RootCauseCode; summary: string; confidence: Confidence };
  evidence: Evidence[];
  actions: ProposedAction[];
  partial: boolean;
  /** The configured cluster (medic.yaml `clusters`) it was diagnosed in; absent with one unnamed cluster. */
  cluster?: string;
}

/** Turns an alert into a diagnosis; the playbook engine implements it. */
export interface DiagnosisEngine {
  diagnose(event: AlertEvent, signal: AbortSignal): Promise<Diagnosis>;
}

/** A before → after line of a proposal's diff. */
export interface DiffLine {
  field: string;
  before: string;
  after: string;
}

export type ProposalState = 'proposed' | 'approved' | 'running' | 'done' | 'failed' | 'refused' | 'expired';

export type ProposalOrigin =
  | { type: 'diagnosis'; fingerprint: string; playbook: string; rootCause: RootCauseCode }
  | { type: 'user'; userId: string; command: string };

/** What the API server said about an object when the proposal was made; execution re-checks it. */
export interface Precondition {
  kind: string;
  namespace?: string;
  name: string;
  resourceVersion?: string;
  /** Field path → value when proposed, for objects whose resourceVersion churns (e.g. status updates). */
  fields?: Record<string, string>;
}

/**
 * A proposal on an object a GitOps tool syncs (src/remediation/ownership.ts, the policy in rails.ts): who
 * owns it, what to do, and the change to commit — the same change as the live patch, as YAML to paste.
 */
export interface GitOpsNote {
  policy: 'warn' | 'refuse';
  /** "Argo CD application shop-api", … (one per distinct owner of the changed objects). */
  owners: string[];
  /** One sentence: why the live patch does not last, and where the change goes instead. */
  advice: string;
  /** The changed fields at their path in each manifest, one YAML document per object, headed by a comment. */
  manifest: string;
}

/** A proposed action that got no button, and why (the dry run failed or a guard rail refused it). */
export interface UnavailableAction {
  kind: string;
  title: string;
  reason: string;
  /** Refused because a GitOps tool owns the object: the change to commit instead. */
  gitops?: GitOpsNote;
}

export interface Outcome {
  ok: boolean;
  message: string;
  changes: DiffLine[];
  finishedAt: number;
}

/**
 * What a check after a successful action found (src/incidents/verify.ts); `not checked`: the cluster could not be
 * read through every attempt of the check, so nothing was decided.
 */
export type VerificationOutcome = 'fixed' | 'not fixed' | 'changed' | 'not checked';

export interface Verification {
  outcome: VerificationOutcome;
  checkedAt: number;
  /** When the change finished: the check looks for problems since then. */
  changedAt: number;
  /** One sentence for people: what was found. */
  summary: string;
  /** What the decision rests on: the target's state since the change, then the new diagnosis's evidence. */
  evidence: Evidence[];
  /** What to do instead of a next step, when the reason there is none is not the playbook's (a change undone). */
  advice?: string;
  /** The diagnosis made for the check (its root cause may differ from the origin's: `changed`). */
  diagnosis: Diagnosis;
  /** The next steps offered (proposals made from the new diagnosis, dry-run first), never the action just run. */
  nextProposalIds: string[];
  /** Next steps whose dry run failed, and why (no button). */
  unavailable: { kind: string; title: string; reason: string }[];
}

export interface Proposal {
  id: string;
  /** The configured cluster it acts on; only that cluster's remediation ever runs it. Absent with one unnamed cluster. */
  cluster?: string;
  kind: ActionKind;
  title: string;
  params: Record<string, unknown>;
  risk: Risk;
  diff: DiffLine[];
  precondition?: Precondition;
  /** The object is synced by a GitOps tool whose medic.yaml policy is `warn`: shown on the proposal. */
  gitops?: GitOpsNote;
  origin: ProposalOrigin;
  createdAt: number;
  expiresAt: number;
  state: ProposalState;
  approvedBy?: string;
  outcome?: Outcome;
  /** Set once, by the check after a successful action. */
  verification?: Verification;
  /** The Slack message that shows the proposal, to update with the outcome. */
  message?: { channel: string; ts: string; threadTs?: string };
}

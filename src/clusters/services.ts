/**
 * One Medic, several clusters: each cluster's services (its API, reader, diagnosis engine, remediation and
 * settings), and the engine and remediation that hand each alert and proposal to its own cluster's — through
 * the registry (registry.ts), never by a guess. An alert no configured cluster owns gets an UNKNOWN that says
 * so; a proposal runs only with the remediation of the cluster its record names, whatever a click carries.
 */
import type { AlertEvent } from '../alertmanager/payload.js';
import type { Settings } from '../config/settings.js';
import { namedTarget } from '../diagnosis/target.js';
import { alertEvidence, unknownResult } from '../diagnosis/unknown.js';
import { MedicError } from '../errors.js';
import type { KubeApis } from '../kube/client.js';
import type { ClusterReader } from '../kube/reader.js';
import type { RemediationService } from '../remediation/index.js';
import type { Diagnosis, DiagnosisEngine } from '../types.js';
import type { ClusterRegistry, NamedCluster } from './registry.js';

export interface ClusterServices extends NamedCluster {
  /** Null when no cluster is configured or discoverable (the unnamed cluster only). */
  kube: KubeApis | null;
  reader: ClusterReader | null;
  engine: DiagnosisEngine;
  remediation: RemediationService;
  /** medic.yaml with this cluster's `approvers` and `remediation` overrides applied. */
  settings: Settings;
}

export type Clusters = ClusterRegistry<ClusterServices>;

/** The diagnosis of an alert that no configured cluster owns: UNKNOWN, saying which label named what. */
export function unroutedDiagnosis(event: AlertEvent, message: string): Diagnosis {
  const { alert } = event;
  const named = namedTarget(alert.labels);
  return {
    alert: { fingerprint: alert.fingerprint, alertname: alert.labels.alertname ?? '', status: alert.status },
    playbook: 'none',
    target: named
      ? { kind: named.kind, name: named.name, ...(named.namespace ? { namespace: named.namespace } : {}) }
      : null,
    ...unknownResult(message, alertEvidence(event)),
    partial: false,
  };
}

/** One cluster's engine whose diagnoses carry the cluster's name (none for the one unnamed cluster). */
export function namedEngine(cluster: Pick<ClusterServices, 'name' | 'engine'>): DiagnosisEngine {
  const { name, engine } = cluster;
  if (name === undefined) return engine;
  return { diagnose: async (event, signal) => ({ ...(await engine.diagnose(event, signal)), cluster: name }) };
}

/** Diagnoses each alert with its own cluster's engine; the diagnosis carries the cluster's name. */
export function createClustersEngine(clusters: Clusters): DiagnosisEngine {
  const engines = new Map(clusters.all.map((c) => [c.name, namedEngine(c)]));
  return {
    async diagnose(event, signal) {
      const choice = clusters.forAlert(event.alert.labels);
      if (!choice.ok) return unroutedDiagnosis(event, choice.message);
      return (engines.get(choice.cluster.name) ?? namedEngine(choice.cluster)).diagnose(event, signal);
    },
  };
}

const notConfigured = (cluster: string | undefined) =>
  cluster === undefined
    ? 'it names no cluster, and Medic serves several'
    : `cluster ${cluster} is not one Medic is configured for`;

/**
 * Dry runs, runs and the check whether a change still holds, in the cluster each proposal names; one whose
 * cluster is not configured never runs (and cannot be told undone).
 */
export function createClustersRemediation(clusters: Clusters): Required<RemediationService> {
  return {
    async prepare(action, signal, cluster) {
      const target = clusters.forProposal({ cluster });
      if (!target) return { ok: false, reason: notConfigured(cluster) };
      return target.remediation.prepare(action, signal, cluster);
    },
    async execute(proposal, signal) {
      const target = clusters.forProposal(proposal);
      if (!target) {
        throw new MedicError('GUARD_RAIL', `Not run: ${notConfigured(proposal.cluster)}; nothing was changed.`, {
          permanent: true,
          field: 'clusters',
        });
      }
      return target.remediation.execute(proposal, signal);
    },
    async undone(proposal, signal) {
      const target = clusters.forProposal(proposal);
      return (await target?.remediation.undone?.(proposal, signal)) ?? null;
    },
  };
}

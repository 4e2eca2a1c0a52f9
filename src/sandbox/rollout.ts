/**
 * The Deployment controller's rollout, done at once: when a Deployment's pod template changes, the ReplicaSet of
 * the new template (the existing one with that template, as `rollout undo` finds it, else a new one named after
 * the template's hash) runs all the replicas with the Deployment's revision, the older ReplicaSets are scaled to
 * zero, their pods are deleted, and the new pods are Running and Ready from the new template — restartCount 0 and
 * no last state, like freshly started containers. So a fix that changes the template can be seen to take effect.
 */
import { createHash, randomBytes } from 'node:crypto';
import { isRecord, type KubeObject } from './object.js';
import type { SandboxStore } from './store.js';

const REVISION = 'deployment.kubernetes.io/revision';
const HASH_LABEL = 'pod-template-hash';
/** The characters Kubernetes' SafeEncodeString uses for generated names (no vowels, no look-alikes). */
const ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

function safeName(bytes: Buffer, length: number): string {
  return [...bytes.subarray(0, length)].map((b) => ALPHABET[b % ALPHABET.length]).join('');
}

interface Template {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: { containers?: { name: string; image?: string }[]; initContainers?: unknown[] } & Record<string, unknown>;
}

const asRecord = (value: unknown): Record<string, unknown> => (isRecord(value) ? value : {});

/** A template without the pod-template-hash label, to compare a ReplicaSet's with the Deployment's. */
function bare(template: unknown): string {
  const t = structuredClone(asRecord(template)) as Template;
  if (t.metadata?.labels) delete t.metadata.labels[HASH_LABEL];
  if (t.metadata?.labels && Object.keys(t.metadata.labels).length === 0) delete t.metadata.labels;
  return JSON.stringify(t);
}

const now = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

function ownedBy(object: KubeObject, owner: KubeObject): boolean {
  const refs = object.metadata.ownerReferences;
  return Array.isArray(refs) && refs.some((r) => isRecord(r) && r.uid === owner.metadata.uid);
}

function ownerRef(owner: KubeObject) {
  return {
    apiVersion: owner.apiVersion,
    kind: owner.kind,
    name: owner.metadata.name,
    uid: owner.metadata.uid,
    controller: true,
    blockOwnerDeletion: true,
  };
}

function replicaSetStatus(replicas: number, generation: number) {
  return {
    replicas,
    fullyLabeledReplicas: replicas,
    readyReplicas: replicas,
    availableReplicas: replicas,
    observedGeneration: generation,
  };
}

/** The new template's ReplicaSet: an existing one with the same template, else a new one. */
function currentReplicaSet(store: SandboxStore, deployment: KubeObject, owned: KubeObject[]): KubeObject {
  const spec = asRecord(deployment.spec);
  const template = structuredClone(asRecord(spec.template)) as Template;
  const revision = deployment.metadata.annotations?.[REVISION] ?? '1';
  const replicas = typeof spec.replicas === 'number' ? spec.replicas : 1;
  const existing = owned.find((rs) => bare(asRecord(rs.spec).template) === bare(template));
  if (existing) {
    const generation = (existing.metadata.generation ?? 1) + 1;
    return store.replace({
      ...existing,
      metadata: {
        ...existing.metadata,
        generation,
        annotations: { ...existing.metadata.annotations, [REVISION]: revision },
      },
      spec: { ...asRecord(existing.spec), replicas },
      status: replicaSetStatus(replicas, generation),
    });
  }
  const hash = safeName(createHash('sha256').update(bare(template)).digest(), 10);
  const labels = { ...template.metadata?.labels, [HASH_LABEL]: hash };
  const matchLabels = { ...asRecord(asRecord(spec.selector).matchLabels), [HASH_LABEL]: hash };
  return store.create({
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: `${deployment.metadata.name}-${hash}`,
      namespace: deployment.metadata.namespace,
      labels,
      annotations: { [REVISION]: revision },
      ownerReferences: [ownerRef(deployment)],
    },
    spec: {
      replicas,
      selector: { matchLabels },
      template: { ...template, metadata: { ...template.metadata, labels } },
    },
    status: replicaSetStatus(replicas, 1),
  });
}

/** A pod of `replicaSet` as the kubelet reports it once started: Running, Ready, no restarts, no last state. */
function freshPod(replicaSet: KubeObject, nodeName: unknown): KubeObject {
  const template = asRecord(asRecord(replicaSet.spec).template) as Template;
  const started = now();
  const containers = template.spec?.containers ?? [];
  const condition = (type: string) => ({ type, status: 'True', lastTransitionTime: started });
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `${replicaSet.metadata.name}-${safeName(randomBytes(5), 5)}`,
      namespace: replicaSet.metadata.namespace,
      labels: { ...template.metadata?.labels },
      ...(template.metadata?.annotations ? { annotations: { ...template.metadata.annotations } } : {}),
      ownerReferences: [ownerRef(replicaSet)],
    },
    spec: { ...structuredClone(template.spec ?? {}), ...(typeof nodeName === 'string' ? { nodeName } : {}) },
    status: {
      phase: 'Running',
      startTime: started,
      conditions: ['Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map(condition),
      containerStatuses: containers.map((c) => ({
        name: c.name,
        image: c.image,
        ready: true,
        started: true,
        restartCount: 0,
        state: { running: { startedAt: started } },
      })),
    },
  };
}

/** Replaces `deployment`'s pods with pods of its current template (called after its template changed). */
export function rollOut(store: SandboxStore, deployment: KubeObject): void {
  const namespace = deployment.metadata.namespace;
  const owned = store.list('apps/v1', 'ReplicaSet', namespace).filter((rs) => ownedBy(rs, deployment));
  const current = currentReplicaSet(store, deployment, owned);
  let nodeName: unknown;
  for (const old of owned.filter((rs) => rs.metadata.uid !== current.metadata.uid)) {
    for (const pod of store.list('v1', 'Pod', namespace).filter((p) => ownedBy(p, old))) {
      nodeName ??= asRecord(pod.spec).nodeName;
      store.delete(store.typeOf(pod), namespace, pod.metadata.name);
    }
    if (asRecord(old.spec).replicas !== 0) {
      store.replace({
        ...old,
        spec: { ...asRecord(old.spec), replicas: 0 },
        status: replicaSetStatus(0, old.metadata.generation ?? 1),
      });
    }
  }
  const running = store.list('v1', 'Pod', namespace).filter((p) => ownedBy(p, current));
  const { replicas } = asRecord(current.spec);
  if (typeof replicas !== 'number') return;
  for (let i = running.length; i < replicas; i++) store.create(freshPod(current, nodeName));
}

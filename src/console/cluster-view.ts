/**
 * What the console's cluster panel shows: the fields Medic's fixes change (memory limits, replica
 * counts, HPA bounds, preStop hooks and grace periods, node cordons) and the pods that are unwell.
 */

/** The read side of the sandbox store. */
export interface ClusterSource {
  list(apiVersion: string, kind: string, namespace?: string): unknown[];
}

export interface ContainerView {
  name: string;
  memoryLimit: string | null;
  memoryRequest: string | null;
  preStop: string | null;
}

export interface WorkloadView {
  kind: 'Deployment' | 'StatefulSet';
  namespace: string;
  name: string;
  replicas: number;
  ready: number;
  hpa: { min: number; max: number } | null;
  gracePeriodSeconds: number;
  containers: ContainerView[];
  /** Pods that are not Running and ready, or whose containers restarted: `name: reason`. */
  problems: string[];
}

export interface NodeView {
  name: string;
  zone: string;
  ready: boolean;
  unschedulable: boolean;
}

export interface ClusterView {
  workloads: WorkloadView[];
  nodes: NodeView[];
}

type Rec = Record<string, unknown>;

function rec(value: unknown): Rec {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Rec) : {};
}
function arr(value: unknown): Rec[] {
  return Array.isArray(value) ? value.map(rec) : [];
}
function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}
function num(value: unknown, fallback = 0): number {
  return typeof value === 'number' ? value : fallback;
}

function describePreStop(lifecycle: unknown): string | null {
  const preStop = rec(rec(lifecycle).preStop);
  if (Object.keys(preStop).length === 0) return null;
  const sleep = rec(preStop.sleep).seconds;
  if (typeof sleep === 'number') return `sleep ${sleep}s`;
  const command = rec(preStop.exec).command;
  if (Array.isArray(command))
    return command
      .map(String)
      .join(' ')
      .replace(/^sh -c /, '');
  return Object.keys(preStop)[0] ?? 'set';
}

function containersOf(template: Rec): ContainerView[] {
  return arr(rec(template.spec).containers).map((c) => {
    const resources = rec(c.resources);
    return {
      name: str(c.name),
      memoryLimit: str(rec(resources.limits).memory) || null,
      memoryRequest: str(rec(resources.requests).memory) || null,
      preStop: describePreStop(c.lifecycle),
    };
  });
}

function podProblem(pod: Rec): string | null {
  const status = rec(pod.status);
  const name = str(rec(pod.metadata).name);
  const statuses = arr(status.containerStatuses);
  for (const cs of statuses) {
    const waiting = str(rec(rec(cs.state).waiting).reason);
    if (waiting) return `${name}: ${waiting}`;
  }
  for (const cs of statuses) {
    const last = str(rec(rec(cs.lastState).terminated).reason);
    const restarts = num(cs.restartCount);
    if (last && restarts > 0) return `${name}: ${str(cs.name)} ${last} ×${restarts}`;
  }
  const phase = str(status.phase);
  if (phase && phase !== 'Running' && phase !== 'Succeeded') return `${name}: ${phase}`;
  return null;
}

function ownedBy(pod: Rec, kind: string, name: string, replicaSets: Rec[]): boolean {
  const owner = arr(rec(pod.metadata).ownerReferences).find((o) => o.controller === true);
  if (!owner) return false;
  if (kind === 'StatefulSet') return owner.kind === 'StatefulSet' && owner.name === name;
  if (owner.kind !== 'ReplicaSet') return false;
  const rs = replicaSets.find((r) => str(rec(r.metadata).name) === owner.name);
  const rsOwner = arr(rec(rs?.metadata).ownerReferences).find((o) => o.controller === true);
  return rsOwner?.kind === 'Deployment' && rsOwner.name === name;
}

/** Summarises the cluster for the console, namespaces with trouble first. */
export function summarizeCluster(source: ClusterSource): ClusterView {
  const pods = source.list('v1', 'Pod').map(rec);
  const replicaSets = source.list('apps/v1', 'ReplicaSet').map(rec);
  const hpas = source.list('autoscaling/v2', 'HorizontalPodAutoscaler').map(rec);
  const workloads: WorkloadView[] = [];
  for (const kind of ['Deployment', 'StatefulSet'] as const) {
    for (const object of source.list('apps/v1', kind).map(rec)) {
      const meta = rec(object.metadata);
      const spec = rec(object.spec);
      const namespace = str(meta.namespace);
      const name = str(meta.name);
      const template = rec(spec.template);
      const hpa = hpas.find((h) => {
        const ref = rec(rec(h.spec).scaleTargetRef);
        return str(rec(h.metadata).namespace) === namespace && ref.kind === kind && ref.name === name;
      });
      const hpaSpec = rec(hpa?.spec);
      const own = pods.filter(
        (p) => str(rec(p.metadata).namespace) === namespace && ownedBy(p, kind, name, replicaSets),
      );
      workloads.push({
        kind,
        namespace,
        name,
        replicas: num(spec.replicas, 1),
        ready: num(rec(object.status).readyReplicas),
        hpa: hpa ? { min: num(hpaSpec.minReplicas, 1), max: num(hpaSpec.maxReplicas) } : null,
        gracePeriodSeconds: num(rec(template.spec).terminationGracePeriodSeconds, 30),
        containers: containersOf(template),
        problems: own.map(podProblem).filter((p): p is string => p !== null),
      });
    }
  }
  workloads.sort(
    (a, b) =>
      Number(b.problems.length > 0) - Number(a.problems.length > 0) ||
      a.namespace.localeCompare(b.namespace) ||
      a.name.localeCompare(b.name),
  );
  const nodes = source
    .list('v1', 'Node')
    .map(rec)
    .map((n) => {
      const meta = rec(n.metadata);
      const labels = rec(meta.labels);
      const conditions = arr(rec(n.status).conditions);
      return {
        name: str(meta.name),
        zone:
          str(labels['topology.kubernetes.io/zone']) || str(labels['failure-domain.beta.kubernetes.io/zone']) || '—',
        ready: conditions.some((c) => c.type === 'Ready' && c.status === 'True'),
        unschedulable: rec(n.spec).unschedulable === true,
      };
    })
    .sort((a, b) => a.zone.localeCompare(b.zone) || a.name.localeCompare(b.name));
  return { workloads, nodes };
}

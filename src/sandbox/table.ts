/**
 * `meta.k8s.io/v1 Table` responses, which kubectl asks for to print `kubectl get` columns
 * (READY, STATUS, RESTARTS for pods; STATUS with SchedulingDisabled for nodes; …).
 */
import type { KubeObject } from './object.js';

type Cell = string | number;
type Column = [name: string, cell: (o: Any) => Cell];
// biome-ignore lint/suspicious/noExplicitAny: cells read optional fields of many kinds of objects
type Any = any;

/** Like Kubernetes' HumanDuration: 45s, 3m20s, 5h, 12d. */
export function humanAge(from: string | undefined, now = Date.now()): string {
  const start = from ? Date.parse(from) : Number.NaN;
  if (Number.isNaN(start)) return '<unknown>';
  const s = Math.max(0, Math.floor((now - start) / 1000));
  const m = Math.floor(s / 60);
  const h = Math.floor(m / 60);
  const d = Math.floor(h / 24);
  if (s < 120) return `${s}s`;
  if (m < 10) return s % 60 ? `${m}m${s % 60}s` : `${m}m`;
  if (m < 180) return `${m}m`;
  if (h < 8) return m % 60 ? `${h}h${m % 60}m` : `${h}h`;
  if (h < 48) return `${h}h`;
  if (h < 192) return h % 24 ? `${d}d${h % 24}h` : `${d}d`;
  if (d < 730) return `${d}d`;
  return `${Math.floor(d / 365)}y`;
}

const age: Column = ['Age', (o) => humanAge(o.metadata.creationTimestamp)];
const name: Column = ['Name', (o) => o.metadata.name];

function podStatus(pod: Any): string {
  if (pod.metadata.deletionTimestamp) return 'Terminating';
  let reason: string = pod.status?.reason ?? pod.status?.phase ?? 'Unknown';
  for (const c of pod.status?.containerStatuses ?? []) {
    const t = c.state?.terminated;
    if (c.state?.waiting?.reason) reason = c.state.waiting.reason;
    else if (t) reason = t.reason ?? (t.signal ? `Signal:${t.signal}` : `ExitCode:${t.exitCode}`);
  }
  return reason;
}

function nodeStatus(node: Any): string {
  const ready = (node.status?.conditions ?? []).find((c: Any) => c.type === 'Ready');
  const state = ready?.status === 'True' ? 'Ready' : ready?.status === 'False' ? 'NotReady' : 'Unknown';
  return node.spec?.unschedulable ? `${state},SchedulingDisabled` : state;
}

/** The TARGETS cell as the API server prints it (`cpu: 131%/70%`, `<unknown>` for a missing value, 2 shown). */
function hpaTargets(hpa: Any): string {
  const specs: Any[] = hpa.spec?.metrics ?? [];
  if (specs.length === 0) return '<none>';
  const statuses: Any[] = hpa.status?.currentMetrics ?? [];
  const cells = specs.map((m, i) => {
    const key = (
      {
        Resource: 'resource',
        ContainerResource: 'containerResource',
        Pods: 'pods',
        Object: 'object',
        External: 'external',
      } as Record<string, string>
    )[m.type];
    if (!key) return '<unknown type>';
    const target = m[key]?.target ?? {};
    const current = statuses[i]?.[key]?.current;
    const named = key === 'resource' || key === 'containerResource' ? `${m[key]?.name}: ` : '';
    if (target.averageUtilization !== undefined || (named && target.averageValue === undefined)) {
      const now = current?.averageUtilization !== undefined ? `${current.averageUtilization}%` : '<unknown>';
      const want = target.averageUtilization !== undefined ? `${target.averageUtilization}%` : '<auto>';
      return `${named}${now}/${want}`;
    }
    const field = target.averageValue !== undefined ? 'averageValue' : 'value';
    const avg = field === 'averageValue' && (key === 'object' || key === 'external') ? ' (avg)' : '';
    return `${named}${current?.[field] ?? '<unknown>'}/${target[field]}${avg}`;
  });
  return cells.length > 2 ? `${cells.slice(0, 2).join(', ')} + ${cells.length - 2} more...` : cells.join(', ');
}

const COLUMNS: Record<string, Column[]> = {
  Pod: [
    name,
    [
      'Ready',
      (p) =>
        `${(p.status?.containerStatuses ?? []).filter((c: Any) => c.ready).length}/${p.spec?.containers?.length ?? 0}`,
    ],
    ['Status', podStatus],
    [
      'Restarts',
      (p) => (p.status?.containerStatuses ?? []).reduce((n: number, c: Any) => n + (c.restartCount ?? 0), 0),
    ],
    age,
  ],
  Node: [
    name,
    ['Status', nodeStatus],
    [
      'Roles',
      (n) =>
        Object.keys(n.metadata.labels ?? {})
          .filter((l) => l.startsWith('node-role.kubernetes.io/'))
          .map((l) => l.split('/')[1])
          .join(',') || '<none>',
    ],
    age,
    ['Version', (n) => n.status?.nodeInfo?.kubeletVersion ?? ''],
  ],
  Deployment: [
    name,
    ['Ready', (d) => `${d.status?.readyReplicas ?? 0}/${d.spec?.replicas ?? 1}`],
    ['Up-to-date', (d) => d.status?.updatedReplicas ?? 0],
    ['Available', (d) => d.status?.availableReplicas ?? 0],
    age,
  ],
  ReplicaSet: [
    name,
    ['Desired', (r) => r.spec?.replicas ?? 1],
    ['Current', (r) => r.status?.replicas ?? 0],
    ['Ready', (r) => r.status?.readyReplicas ?? 0],
    age,
  ],
  StatefulSet: [name, ['Ready', (s) => `${s.status?.readyReplicas ?? 0}/${s.spec?.replicas ?? 1}`], age],
  Event: [
    ['Last Seen', (e) => humanAge(e.lastTimestamp ?? e.eventTime ?? e.metadata.creationTimestamp)],
    ['Type', (e) => e.type ?? ''],
    ['Reason', (e) => e.reason ?? ''],
    ['Object', (e) => `${String(e.involvedObject?.kind ?? '').toLowerCase()}/${e.involvedObject?.name ?? ''}`],
    ['Message', (e) => e.message ?? ''],
  ],
  Service: [
    name,
    ['Type', (s) => s.spec?.type ?? 'ClusterIP'],
    ['Cluster-IP', (s) => s.spec?.clusterIP ?? '<none>'],
    ['Port(s)', (s) => (s.spec?.ports ?? []).map((p: Any) => `${p.port}/${p.protocol ?? 'TCP'}`).join(',') || '<none>'],
    age,
  ],
  HorizontalPodAutoscaler: [
    name,
    ['Reference', (h) => `${h.spec?.scaleTargetRef?.kind}/${h.spec?.scaleTargetRef?.name}`],
    ['Targets', hpaTargets],
    ['MinPods', (h) => (h.spec?.minReplicas === undefined ? '<unset>' : String(h.spec.minReplicas))],
    ['MaxPods', (h) => h.spec?.maxReplicas ?? 0],
    ['Replicas', (h) => h.status?.currentReplicas ?? 0],
    age,
  ],
  PersistentVolumeClaim: [
    name,
    ['Status', (c) => c.status?.phase ?? 'Pending'],
    ['Volume', (c) => c.spec?.volumeName ?? ''],
    ['Capacity', (c) => c.status?.capacity?.storage ?? ''],
    ['StorageClass', (c) => c.spec?.storageClassName ?? ''],
    age,
  ],
  StorageClass: [
    [
      'Name',
      (c) =>
        c.metadata.annotations?.['storageclass.kubernetes.io/is-default-class'] === 'true'
          ? `${c.metadata.name} (default)`
          : c.metadata.name,
    ],
    ['Provisioner', (c) => c.provisioner ?? ''],
    ['ReclaimPolicy', (c) => c.reclaimPolicy ?? 'Delete'],
    ['VolumeBindingMode', (c) => c.volumeBindingMode ?? 'Immediate'],
    ['AllowVolumeExpansion', (c) => String(c.allowVolumeExpansion === true)],
    age,
  ],
};

/** True when the Accept header asks for a Table (kubectl get does). */
export function wantsTable(accept: string | undefined): boolean {
  return /as=Table/.test(accept ?? '');
}

export function toTable(kind: string, objects: KubeObject[], resourceVersion: string): Record<string, unknown> {
  const columns = COLUMNS[kind] ?? [name, age];
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion },
    columnDefinitions: columns.map(([title]) => ({
      name: title,
      type: 'string',
      format: title === 'Name' ? 'name' : '',
      description: '',
      priority: 0,
    })),
    rows: objects.map((o) => ({
      cells: columns.map(([, cell]) => cell(o)),
      object: { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata },
    })),
  };
}

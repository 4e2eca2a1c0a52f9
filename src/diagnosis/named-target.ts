/**
 * Which object an alert is about, from its labels alone (pure; target.ts then finds it in the cluster).
 *
 * The rule decides, not the labels (ROOT_CAUSES.md, "Which object an alert is about"): a well-known rule names its
 * object through one label (alert-subjects.ts); any other alert goes through the general rule below. Labels that
 * belong to the exporter which produced the series (kube-state-metrics' own pod, node-exporter's pod, the kubelet's
 * service) never name the target.
 *
 * Over 300 lines because the general rule is one ordered decision over many label conventions (kube-prometheus,
 * legacy kubernetes_sd, OpenTelemetry, meshes, ingress controllers, exporters); its parsers of one convention each
 * already live beside it (mesh-labels.ts, ingress-routes.ts, service-hosts.ts).
 */
import type { WorkloadKind } from '../kube/reader.js';
import { ALERT_SUBJECTS, type Subject } from './alert-subjects.js';
import { ingressRoute, type Route, traefikRoute } from './ingress-routes.js';
import { meshDestination } from './mesh-labels.js';
import type { TargetKind } from './playbook.js';
import { hostOf, serviceOfHost } from './service-hosts.js';

type Labels = Record<string, string>;

export interface Named {
  kind: TargetKind;
  namespace?: string;
  name: string;
  /** The alert labels the object was read from: what identifies the alert about it (silence matchers). */
  from: string[];
  /** Only a guess from the labels: when it does not exist, the alert names nothing (not TARGET_NOT_FOUND). */
  guessed?: boolean;
  /** The container the alert names, when it is the object's own (not the exporter's). */
  container?: string;
  /** A pod the alert also names (and its label): the target is that pod when it is this workload's, else the workload. */
  pod?: { label: string; name: string };
  /** node-exporter pod whose node this is (kube-prometheus-stack names the node only through it). */
  hostOf?: { namespace: string; pod: string };
  /**
   * Read by the general rule from a scrape's own `pod` label: when that pod turns out to be a server's standalone
   * exporter, the alert is about the server it scrapes (exporter-targets.ts).
   */
  scraped?: boolean;
  /** An ingress controller's route (an Ingress, a Traefik service name): the Service behind it is the target. */
  route?: Route;
  /** How the object was found when the labels do not name it outright (the evidence's first line). */
  via?: string;
}

/**
 * Exporters that report about other objects: their own pod, container and service ride on series that have none
 * (honor_labels keeps the series' own when it has them). kubelet/cAdvisor targets are Nodes, so only their service.
 * The blackbox exporter probes endpoints named in `instance` (a URL, a host:port): its pod is only the prober.
 */
const EXPORTER_POD = /kube-state-metrics|node-exporter|blackbox-exporter/;
const EXPORTER_SERVICE = /kube-state-metrics|node-exporter|blackbox-exporter|kubelet|cadvisor/;
const NODE_EXPORTER = /node-exporter/;
/**
 * A metrics sidecar scraped beside the app in the same pod (bitnami's `metrics` container running redis_exporter,
 * a postgres-exporter container): an alert from its scrape names it as `container`, though the app it watches is
 * what the alert is about.
 */
const SIDECAR_EXPORTER = /exporter|^metrics$/i;
/**
 * Ingress controllers report about the backends they route to (ingress-nginx: `ingress`, `service`, `namespace` of
 * the backend, its own pod as `controller_pod`): the scrape's `pod` and `container` are the controller's. With
 * honor_labels the series' namespace and service stay plain, so only pod and container are dropped.
 */
const INGRESS_CONTROLLER_POD = /ingress-nginx|nginx-ingress|traefik|haproxy-ingress|kong|contour|envoy-gateway/;
const BLACKBOX_EXPORTER = /blackbox-exporter/;

const WORKLOAD_LABELS: [string, WorkloadKind & TargetKind][] = [
  ['deployment', 'Deployment'],
  ['statefulset', 'StatefulSet'],
  ['daemonset', 'DaemonSet'],
  ['job_name', 'Job'],
  // OpenTelemetry's resource attributes as Prometheus labels (k8s.deployment.name → k8s_deployment_name).
  ['k8s_deployment_name', 'Deployment'],
  ['k8s_statefulset_name', 'StatefulSet'],
  ['k8s_daemonset_name', 'DaemonSet'],
  ['k8s_job_name', 'Job'],
];
const CLUSTER_SCOPED: ReadonlySet<TargetKind> = new Set(['Node', 'PersistentVolume']);

/**
 * Target labels of the kubernetes_sd relabelings Prometheus' own example config and older Helm charts wrote
 * (kubernetes_namespace, kubernetes_pod_name, kubernetes_name for a service endpoint's Service), and cAdvisor's
 * series before Kubernetes 1.16 (pod_name, container_name): the scrape target's, which is the object itself unless
 * that target is an exporter; and OpenTelemetry's resource attributes as the collector's Prometheus exporter writes
 * them (k8s_namespace_name, k8s_pod_name, k8s_container_name, k8s_node_name). Read only where the label of today's
 * name is absent.
 */
const LEGACY: Record<string, string[]> = {
  namespace: ['kubernetes_namespace', 'k8s_namespace_name'],
  pod: ['kubernetes_pod_name', 'pod_name', 'k8s_pod_name'],
  container: ['container_name', 'k8s_container_name'],
  service: ['kubernetes_name'],
  node: ['k8s_node_name'],
};

function legacy(labels: Labels, name: string): [string, string] | null {
  for (const label of LEGACY[name] ?? []) {
    const value = labels[label];
    if (value !== undefined && value !== '') return [label, value];
  }
  return null;
}

/** The object an alert's labels name: by the rule it comes from when Medic knows it, else by the general rule. Pure. */
export function namedTarget(labels: Labels): Named | null {
  const subject = subjectOf(labels);
  return subject ? bySubject(subject, labels) : byLabels(labels);
}

/** Own keys only: an alert named "constructor" or "toString" is a custom alert, not Object.prototype's. */
function subjectOf(labels: Labels): Subject | undefined {
  const name = labels.alertname;
  return name !== undefined && Object.hasOwn(ALERT_SUBJECTS, name) ? ALERT_SUBJECTS[name] : undefined;
}

/**
 * What an alert is about, in words, when it names no object Medic looks at: a well-known rule's subject, or the
 * endpoint a blackbox exporter probes (its `instance`). Null when it names an object, or nothing known.
 */
export function unnamedSubject(labels: Labels): string | null {
  const subject = subjectOf(labels);
  if (subject?.about === 'nothing') return subject.what;
  const prober = [labels.pod, labels.job, labels.service].some((v) => v !== undefined && BLACKBOX_EXPORTER.test(v));
  return prober && labels.instance
    ? `the endpoint ${labels.instance}, which the blackbox exporter probes from its own pod (the pod in the labels is the prober, not the subject)`
    : null;
}

/** A label's value as the series had it (own below), for rules whose object is not a kind Medic resolves. */
export function seriesLabel(labels: Labels, name: string): string | undefined {
  return own(labels, name)?.[1];
}

/** A label as the series had it: Prometheus renames a series label to exported_<name> when the scrape sets it too. */
function own(labels: Labels, name: string): [label: string, value: string] | null {
  const exported = labels[`exported_${name}`];
  if (exported !== undefined) return [`exported_${name}`, exported];
  const value = labels[name];
  return value === undefined ? null : [name, value];
}

/**
 * True when `pod` is the pod of an exporter that reports about other objects: kube-state-metrics or node-exporter
 * by name, or (a renamed release) the pod behind the exporter's own Service.
 */
export function isExporterPod(labels: Labels): boolean {
  const pod = labels.pod;
  if (!pod) return false;
  if (EXPORTER_POD.test(pod)) return true;
  const service = labels.service;
  if (!service || !pod.startsWith(`${service}-`)) return false;
  return [labels.container, labels.job, service].some((v) => v !== undefined && EXPORTER_POD.test(v));
}

function bySubject(subject: Subject, labels: Labels): Named | null {
  if (subject.about === 'nothing') return null;
  if (subject.about === 'exporter-node') return nodeOfExporter(labels);
  const name = own(labels, subject.label);
  if (!name) return null;
  const from = [name[0]];
  if (CLUSTER_SCOPED.has(subject.kind)) return { kind: subject.kind, name: name[1], from };
  const namespace = own(labels, 'namespace');
  if (!namespace) return null;
  const container = subject.kind === 'Pod' ? podContainer(labels, name[1]) : null;
  return {
    kind: subject.kind,
    namespace: namespace[1],
    name: name[1],
    from: [namespace[0], ...from, ...(container ? [container[0]] : [])],
    ...(container ? { container: container[1] } : {}),
  };
}

/** The container a pod rule names; kube-state-metrics' own when the series has none (kube_pod_status_reason). */
function podContainer(labels: Labels, pod: string): [string, string] | null {
  const container = own(labels, 'container');
  if (!container || (EXPORTER_POD.test(container[1]) && !EXPORTER_POD.test(pod))) return null;
  return container;
}

/**
 * node-exporter series name their node by `node` when a relabeling sets it, by `instance` when kube-prometheus
 * relabels it to the node name, and in kube-prometheus-stack only through the exporter's pod (instance is IP:port).
 */
function nodeOfExporter(labels: Labels): Named | null {
  if (labels.node) return { kind: 'Node', name: labels.node, from: ['node'] };
  const { pod, namespace, instance } = labels;
  if (pod && namespace && NODE_EXPORTER.test(pod)) {
    // hostNetwork: `instance` (node IP:port) outlives the exporter pod, so it identifies the alert better.
    const from = instance ? ['instance'] : ['namespace', 'pod'];
    return { kind: 'Node', name: instance ?? pod, from, hostOf: { namespace, pod } };
  }
  if (instance && !instance.includes(':')) return { kind: 'Node', name: instance, from: ['instance'], guessed: true };
  return null;
}

/**
 * The general rule for alerts Medic does not know: the exporter's labels are dropped, then the most specific object
 * label wins — a workload (refined to the pod the alert names, when that pod is the workload's), an HPA, a pod, a
 * volume claim or volume, a service, a node.
 */
function byLabels(labels: Labels): Named | null {
  const destination = meshDestination(labels);
  if (destination) return destination;
  // Traefik's own service names (`shop-checkout-80@kubernetes`) are routes, whatever pod scraped them.
  const routeLabel = own(labels, 'service');
  const traefik = traefikRoute(routeLabel?.[1]);
  if (routeLabel && traefik)
    return { kind: 'Service', name: routeLabel[1], from: [routeLabel[0]], route: traefik, guessed: true };
  // Behind an exporter (or with honor_labels off, when the series' own labels were renamed exported_*), the plain
  // pod, container and service are the scrape target's, not the object's.
  const behindExporter = isExporterPod(labels) || labels.exported_namespace !== undefined;
  const scrapedPod = labels.pod;
  const ingressScrape =
    scrapedPod !== undefined &&
    (labels.controller_pod === scrapedPod || (labels.ingress !== undefined && INGRESS_CONTROLLER_POD.test(scrapedPod)));
  const get = (name: string): [string, string] | null => {
    const exported = labels[`exported_${name}`];
    if (exported !== undefined) return [`exported_${name}`, exported];
    const value = labels[name];
    const scrapers = ingressScrape && (name === 'pod' || name === 'container');
    return behindExporter || scrapers || value === undefined ? null : [name, value];
  };
  const namespace = own(labels, 'namespace') ?? legacy(labels, 'namespace');
  const legacyPod = legacy(labels, 'pod');
  const pod = get('pod') ?? (!behindExporter && legacyPod && !EXPORTER_POD.test(legacyPod[1]) ? legacyPod : null);
  const named =
    pod && get('container')
      ? podContainer(labels, pod[1])
      : pod && pod[0] !== 'pod' && !labels.container
        ? legacy(labels, 'container')
        : null;
  // The scrape's own container (not a kubelet/cAdvisor or kube-state-metrics series, whose container is the
  // object's): a metrics sidecar is the scraper, so the alert is about its pod, not about it.
  const scrapedSidecar =
    named?.[0] === 'container' &&
    SIDECAR_EXPORTER.test(named[1]) &&
    !SIDECAR_EXPORTER.test(pod?.[1] ?? '') &&
    !EXPORTER_SERVICE.test(labels.job ?? '');
  const container = scrapedSidecar ? null : named;
  const withContainer = container ? { container: container[1] } : {};
  if (namespace) {
    const ns = { namespace: namespace[1] };
    for (const [label, kind] of WORKLOAD_LABELS) {
      const name = labels[label];
      if (!name) continue;
      const refine = pod ? { pod: { label: pod[0], name: pod[1] }, ...withContainer } : {};
      return { kind, ...ns, name, from: [namespace[0], label], ...refine };
    }
    const hpa = labels.horizontalpodautoscaler;
    if (hpa)
      return { kind: 'HorizontalPodAutoscaler', ...ns, name: hpa, from: [namespace[0], 'horizontalpodautoscaler'] };
    if (pod) {
      const from = [namespace[0], pod[0], ...(container ? [container[0]] : [])];
      return {
        kind: 'Pod',
        ...ns,
        name: pod[1],
        from,
        ...withContainer,
        ...(pod[0] === 'pod' ? { scraped: true } : {}),
      };
    }
    // ingress-nginx's series aggregated per Ingress: its rules name the Service.
    const ingress = own(labels, 'service') ? null : ingressRoute(labels, namespace[1]);
    if (ingress)
      return {
        kind: 'Service',
        ...ns,
        name: ingress.ingress,
        from: [namespace[0], 'ingress'],
        route: ingress,
        guessed: true,
      };
    const pvc = labels.persistentvolumeclaim;
    if (pvc) return { kind: 'PersistentVolumeClaim', ...ns, name: pvc, from: [namespace[0], 'persistentvolumeclaim'] };
  }
  if (labels.persistentvolume)
    return { kind: 'PersistentVolume', name: labels.persistentvolume, from: ['persistentvolume'] };
  const legacyService = legacy(labels, 'service');
  const service = get('service') ?? (!behindExporter && !labels.service ? legacyService : null);
  // When `service` equals the scrape `job`, it may be an exporter's own service or an app whose ServiceMonitor names
  // the job after its service: look it up, but its absence proves nothing.
  if (namespace && service && !EXPORTER_SERVICE.test(service[1])) {
    const guessed = service[1] === labels.job ? { guessed: true } : {};
    return { kind: 'Service', namespace: namespace[1], name: service[1], from: [namespace[0], service[0]], ...guessed };
  }
  const node = labels.node ? (['node', labels.node] as const) : legacy(labels, 'node');
  if (node) return { kind: 'Node', name: node[1], from: [node[0]] };
  if (labels.pod && NODE_EXPORTER.test(labels.pod)) return nodeOfExporter(labels);
  if (labels.pod && BLACKBOX_EXPORTER.test(labels.pod)) return probedService(labels);
  return null;
}

/** The in-cluster Service a blackbox probe targets, from its `instance`; a guess, since the name may be external. */
function probedService(labels: Labels): Named | null {
  const host = hostOf(labels.instance ?? '');
  const service = host ? serviceOfHost(host) : null;
  return service ? { kind: 'Service', ...service, from: ['instance'], guessed: true } : null;
}

export function describeTarget(t: Pick<Named, 'kind' | 'namespace' | 'name'>): string {
  return t.namespace ? `${t.kind} ${t.namespace}/${t.name}` : `${t.kind} ${t.name}`;
}

/**
 * The alert's labels minus those that change whenever the exporter's pod is replaced (its `pod`, and for
 * kube-state-metrics its pod IP in `instance`): what a silence should match so it outlives an exporter restart.
 * Nothing else is dropped, so the silence never widens to other objects (node-exporter's `instance` is its node, the
 * blackbox exporter's the endpoint it probes).
 */
export function silenceLabels(labels: Labels): Labels {
  if (!isExporterPod(labels)) return labels;
  const { pod: _, ...rest } = labels;
  // node-exporter's instance is its node, the blackbox exporter's the endpoint it probes: both name the subject.
  if (NODE_EXPORTER.test(labels.pod ?? '') || BLACKBOX_EXPORTER.test(labels.pod ?? '')) return rest;
  const { instance: __, ...stable } = rest;
  return stable;
}

/**
 * Every alert of kubernetes-mixin's kubernetes-apps, kubernetes-resources, kubernetes-storage, kubernetes-system*,
 * kube-apiserver-slos groups and of the node-exporter mixin, with the label set it carries when kube-prometheus-stack
 * fires it, and the object Medic reads from it (or null: the alert names no object).
 *
 * Rules read from kubernetes-monitoring/kubernetes-mixin@aa38e2bfa7ea6ec6870420b483046afe790a6411 (alerts/
 * apps_alerts, resource_alerts, storage_alerts, system_alerts, kube_apiserver, kubelet, kube_scheduler,
 * kube_controller_manager, kube_proxy .libsonnet; lib/absent_alert, lib/instance_unreachable_alert) and the rendered
 * prometheus-community/helm-charts@cf408a290aec489277a94450bb3511432477a53a
 * charts/kube-prometheus-stack/templates/prometheus/rules-1.14/*.yaml (node-exporter, node-network, general.rules).
 *
 * Label sets: the rule's by()/on() labels when it aggregates, else every label of the series plus the scrape labels
 * prometheus-operator adds (namespace, service, endpoint, job, instance; pod and container when the endpoint's target
 * is a Pod, node when it is a Node). kube-prometheus-stack scrapes kube-state-metrics with honorLabels: true and no
 * labeldrop, so a series with no pod/container/namespace of its own carries kube-state-metrics' own.
 */
import { describe, expect, it } from 'vitest';
import { ALERT_SUBJECTS } from '../../src/diagnosis/alert-subjects.js';
import { describeTarget, type Named, namedTarget, silenceLabels, unnamedSubject } from '../../src/diagnosis/target.js';

type Labels = Record<string, string>;

const KSM_POD = 'kube-prometheus-stack-kube-state-metrics-6c9d7f8b4-x2kqp';
/** kube-state-metrics' scrape labels; `pod`, `container` and `namespace` only stay when the series has none. */
const KSM: Labels = {
  container: 'kube-state-metrics',
  endpoint: 'http',
  instance: '10.42.3.17:8080',
  job: 'kube-state-metrics',
  namespace: 'monitoring',
  pod: KSM_POD,
  service: 'kube-prometheus-stack-kube-state-metrics',
};
const KSM_SCRAPE: Labels = {
  endpoint: KSM.endpoint,
  instance: KSM.instance,
  job: KSM.job,
  service: KSM.service,
} as Labels;
const NODE = 'ip-10-0-12-4.eu-west-1.compute.internal';
const KUBELET: Labels = {
  endpoint: 'https-metrics',
  instance: '10.0.12.4:10250',
  job: 'kubelet',
  metrics_path: '/metrics',
  namespace: 'kube-system',
  node: NODE,
  service: 'kube-prometheus-stack-kubelet',
};
const NODE_EXPORTER_POD = 'kube-prometheus-stack-prometheus-node-exporter-7xkqz';
const NODE_EXPORTER: Labels = {
  container: 'node-exporter',
  endpoint: 'http-metrics',
  instance: '10.0.12.4:9100',
  job: 'node-exporter',
  namespace: 'monitoring',
  pod: NODE_EXPORTER_POD,
  service: 'kube-prometheus-stack-prometheus-node-exporter',
};
const APP_POD = 'cart-7d9f8b6c5-h2x4q';
const UID = { uid: '5f1b2c3d-8e9f-4a0b-9c1d-2e3f4a5b6c7d' };
const apiserver = { instance: '10.0.0.10:6443', job: 'apiserver' };

/** [alertname, labels, the object Medic must read: "Kind ns/name", "node of pod ns/name", or null]. */
const CASES: [string, Labels, string | null][] = [
  // kubernetes-apps
  [
    'KubePodCrashLooping',
    { ...KSM_SCRAPE, namespace: 'shop', pod: APP_POD, container: 'cart', reason: 'CrashLoopBackOff', ...UID },
    `Pod shop/${APP_POD}`,
  ],
  ['KubePodNotReady', { namespace: 'shop', pod: APP_POD, job: 'kube-state-metrics' }, `Pod shop/${APP_POD}`],
  ['KubeDeploymentGenerationMismatch', { ...KSM, namespace: 'shop', deployment: 'cart' }, 'Deployment shop/cart'],
  ['KubeDeploymentReplicasMismatch', { ...KSM, namespace: 'shop', deployment: 'cart' }, 'Deployment shop/cart'],
  [
    'KubeDeploymentRolloutStuck',
    { ...KSM, namespace: 'shop', deployment: 'cart', condition: 'Progressing', status: 'false' },
    'Deployment shop/cart',
  ],
  [
    'KubeStatefulSetReplicasMismatch',
    { ...KSM, namespace: 'logging', statefulset: 'es-data' },
    'StatefulSet logging/es-data',
  ],
  [
    'KubeStatefulSetGenerationMismatch',
    { ...KSM, namespace: 'logging', statefulset: 'es-data' },
    'StatefulSet logging/es-data',
  ],
  [
    'KubeStatefulSetUpdateNotRolledOut',
    { namespace: 'logging', statefulset: 'es-data', job: 'kube-state-metrics' },
    'StatefulSet logging/es-data',
  ],
  [
    'KubeDaemonSetRolloutStuck',
    { ...KSM, namespace: 'logging', daemonset: 'fluent-bit' },
    'DaemonSet logging/fluent-bit',
  ],
  [
    'KubeContainerWaiting',
    { ...KSM_SCRAPE, namespace: 'shop', pod: APP_POD, container: 'cart', reason: 'ContainerCreating', ...UID },
    `Pod shop/${APP_POD}`,
  ],
  [
    'KubeDaemonSetNotScheduled',
    { ...KSM, namespace: 'logging', daemonset: 'fluent-bit' },
    'DaemonSet logging/fluent-bit',
  ],
  [
    'KubeDaemonSetMisScheduled',
    { ...KSM, namespace: 'logging', daemonset: 'fluent-bit' },
    'DaemonSet logging/fluent-bit',
  ],
  [
    'KubeJobNotCompleted',
    { namespace: 'finance', job_name: 'ledger-export-29077140' },
    'Job finance/ledger-export-29077140',
  ],
  [
    'KubeJobFailed',
    { ...KSM, namespace: 'finance', job_name: 'ledger-export-29077140', condition: 'true' },
    'Job finance/ledger-export-29077140',
  ],
  [
    'KubeHpaReplicasMismatch',
    { ...KSM, namespace: 'shop', horizontalpodautoscaler: 'cart' },
    'HorizontalPodAutoscaler shop/cart',
  ],
  [
    'KubeHpaMaxedOut',
    { ...KSM, namespace: 'shop', horizontalpodautoscaler: 'cart' },
    'HorizontalPodAutoscaler shop/cart',
  ],
  [
    'KubePdbNotEnoughHealthyPods',
    { ...KSM, namespace: 'shop', poddisruptionbudget: 'cart-pdb' },
    'PodDisruptionBudget shop/cart-pdb',
  ],
  // kubernetes-resources
  ['KubeCPUOvercommit', { cluster: 'prod-eu-1' }, null],
  ['KubeMemoryOvercommit', { cluster: 'prod-eu-1' }, null],
  ['KubeCPUQuotaOvercommit', { cluster: 'prod-eu-1' }, null],
  ['KubeMemoryQuotaOvercommit', { cluster: 'prod-eu-1' }, null],
  // max without (instance, job, type): kube-state-metrics' pod, container, service, endpoint stay.
  [
    'KubeQuotaAlmostFull',
    { ...KSM, namespace: 'shop', resource: 'requests.memory', resourcequota: 'shop-quota', instance: '', job: '' },
    null,
  ],
  [
    'KubeQuotaFullyUsed',
    { ...KSM, namespace: 'shop', resource: 'requests.memory', resourcequota: 'shop-quota', instance: '', job: '' },
    null,
  ],
  [
    'KubeQuotaExceeded',
    { ...KSM, namespace: 'shop', resource: 'requests.memory', resourcequota: 'shop-quota', instance: '', job: '' },
    null,
  ],
  // sum without (id, metrics_path, name, image, endpoint, job, node) of cAdvisor series
  [
    'CPUThrottlingHigh',
    {
      namespace: 'shop',
      pod: APP_POD,
      container: 'cart',
      instance: '10.0.12.4:10250',
      service: 'kube-prometheus-stack-kubelet',
    },
    `Pod shop/${APP_POD}`,
  ],
  // kubernetes-storage: kubelet volume stats keep the claim's namespace (honorLabels) and the kubelet's node.
  [
    'KubePersistentVolumeFillingUp',
    { ...KUBELET, namespace: 'db', persistentvolumeclaim: 'data-postgres-0' },
    'PersistentVolumeClaim db/data-postgres-0',
  ],
  [
    'KubePersistentVolumeInodesFillingUp',
    { ...KUBELET, namespace: 'db', persistentvolumeclaim: 'data-postgres-0' },
    'PersistentVolumeClaim db/data-postgres-0',
  ],
  [
    'KubePersistentVolumeErrors',
    { ...KSM, persistentvolume: 'pvc-3f1c9a7e-2b4d-4c6e-8f0a-1b2c3d4e5f60', phase: 'Failed' },
    'PersistentVolume pvc-3f1c9a7e-2b4d-4c6e-8f0a-1b2c3d4e5f60',
  ],
  // kubernetes-system, kube-apiserver-slos, kubernetes-system-apiserver
  ['KubeVersionMismatch', {}, null],
  ['KubeClientErrors', { ...apiserver, namespace: 'default' }, null],
  ['KubeAPIErrorBudgetBurn', { long: '1h', short: '5m' }, null],
  ['KubeClientCertificateExpiration', apiserver, null],
  [
    'KubeAggregatedAPIErrors',
    { instance: apiserver.instance, name: 'v1beta1.metrics.k8s.io', reason: 'MissingEndpoints' },
    null,
  ],
  ['KubeAggregatedAPIDown', { name: 'v1beta1.metrics.k8s.io', namespace: 'default' }, null],
  ['KubeAPIDown', { job: 'apiserver' }, null],
  [
    'KubeAPIInstanceUnreachable',
    { ...apiserver, endpoint: 'https', namespace: 'default', service: 'kubernetes' },
    null,
  ],
  ['KubeAPITerminatedRequests', {}, null],
  // kubernetes-system-kubelet: kube-state-metrics node series have no namespace, so they carry "monitoring".
  ['KubeNodeNotReady', { ...KSM, node: NODE, condition: 'Ready', status: 'true' }, `Node ${NODE}`],
  ['KubeNodePressure', { ...KSM, node: NODE, condition: 'MemoryPressure', status: 'true' }, `Node ${NODE}`],
  [
    'KubeNodeUnreachable',
    { ...KSM, node: NODE, key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' },
    `Node ${NODE}`,
  ],
  ['KubeletTooManyPods', { instance: KUBELET.instance as string, node: NODE }, `Node ${NODE}`],
  ['KubeNodeReadinessFlapping', { node: NODE }, `Node ${NODE}`],
  [
    'KubeNodeEviction',
    { eviction_signal: 'memory.available', instance: KUBELET.instance as string, node: NODE },
    `Node ${NODE}`,
  ],
  ['KubeletPlegDurationHigh', { instance: KUBELET.instance as string, node: NODE, quantile: '0.99' }, `Node ${NODE}`],
  ['KubeletPodStartUpLatencyHigh', { instance: KUBELET.instance as string, node: NODE }, `Node ${NODE}`],
  ['KubeletClientCertificateExpiration', KUBELET, `Node ${NODE}`],
  ['KubeletServerCertificateExpiration', KUBELET, `Node ${NODE}`],
  ['KubeletClientCertificateRenewalErrors', KUBELET, `Node ${NODE}`],
  ['KubeletServerCertificateRenewalErrors', KUBELET, `Node ${NODE}`],
  ['KubeletInstanceUnreachable', KUBELET, `Node ${NODE}`],
  ['KubeletDown', {}, null],
  // kubernetes-system-scheduler, -controller-manager, -kube-proxy: absent() keeps the selector's job only; up == 0
  // keeps the scrape labels, whose pod is the component's own.
  ['KubeSchedulerDown', { job: 'kube-scheduler' }, null],
  [
    'KubeSchedulerInstanceUnreachable',
    {
      endpoint: 'http-metrics',
      instance: '10.0.0.11:10259',
      job: 'kube-scheduler',
      namespace: 'kube-system',
      pod: 'kube-scheduler-cp-1',
      service: 'kube-prometheus-stack-kube-scheduler',
    },
    'Pod kube-system/kube-scheduler-cp-1',
  ],
  ['KubeControllerManagerDown', { job: 'kube-controller-manager' }, null],
  [
    'KubeControllerManagerInstanceUnreachable',
    {
      endpoint: 'http-metrics',
      instance: '10.0.0.11:10257',
      job: 'kube-controller-manager',
      namespace: 'kube-system',
      pod: 'kube-controller-manager-cp-1',
      service: 'kube-prometheus-stack-kube-controller-manager',
    },
    'Pod kube-system/kube-controller-manager-cp-1',
  ],
  ['KubeProxyDown', { job: 'kube-proxy' }, null],
  [
    'KubeProxyInstanceUnreachable',
    {
      endpoint: 'http-metrics',
      instance: '10.0.12.4:10249',
      job: 'kube-proxy',
      namespace: 'kube-system',
      pod: 'kube-proxy-x8v2k',
      service: 'kube-prometheus-stack-kube-proxy',
    },
    'Pod kube-system/kube-proxy-x8v2k',
  ],
  // node-exporter, node-network: raw node-exporter series (no by()), so every scrape label stays.
  ...(
    [
      ['NodeFilesystemSpaceFillingUp', { device: '/dev/nvme0n1p1', fstype: 'xfs', mountpoint: '/' }],
      ['NodeFilesystemAlmostOutOfSpace', { device: '/dev/nvme0n1p1', fstype: 'xfs', mountpoint: '/' }],
      ['NodeFilesystemFilesFillingUp', { device: '/dev/nvme0n1p1', fstype: 'xfs', mountpoint: '/' }],
      ['NodeFilesystemAlmostOutOfFiles', { device: '/dev/nvme0n1p1', fstype: 'xfs', mountpoint: '/' }],
      ['NodeNetworkReceiveErrs', { device: 'eth0' }],
      ['NodeNetworkTransmitErrs', { device: 'eth0' }],
      ['NodeHighNumberConntrackEntriesUsed', {}],
      ['NodeTextFileCollectorScrapeError', {}],
      ['NodeClockSkewDetected', {}],
      ['NodeClockNotSynchronising', {}],
      ['NodeRAIDDegraded', { device: 'md0' }],
      ['NodeRAIDDiskFailure', { device: 'md0', state: 'failed' }],
      ['NodeFileDescriptorLimit', {}],
      ['NodeCPUHighUsage', {}],
      ['NodeSystemSaturation', {}],
      ['NodeMemoryMajorPagesFaults', {}],
      ['NodeMemoryHighUtilization', {}],
      ['NodeDiskIOSaturation', { device: 'nvme0n1' }],
      ['NodeSystemdServiceFailed', { name: 'containerd.service', state: 'failed', type: 'notify' }],
      ['NodeSystemdServiceCrashlooping', { name: 'kubelet.service' }],
      ['NodeBondingDegraded', { master: 'bond0' }],
      ['NodeNetworkInterfaceFlapping', { device: 'eth1' }],
    ] as [string, Labels][]
  ).map(([alert, own]): [string, Labels, string] => [
    alert,
    { ...NODE_EXPORTER, ...own },
    `node of pod monitoring/${NODE_EXPORTER_POD}`,
  ]),
  // general.rules, kube-state-metrics
  ['Watchdog', {}, null],
  ['InfoInhibitor', { namespace: 'shop' }, null],
  [
    'TargetDown',
    { job: 'payments-api', namespace: 'payments', service: 'payments-api' },
    'Service payments/payments-api',
  ],
  ['KubeStateMetricsListErrors', {}, null],
  ['KubeStateMetricsWatchErrors', {}, null],
  ['KubeStateMetricsShardingMismatch', {}, null],
  ['KubeStateMetricsShardsMissing', {}, null],
  // Medic's own rules (alerting/medic-rules.yaml), as their promtool tests fire them
  ['KubeContainerMemoryNearLimit', { namespace: 'shop', pod: APP_POD, container: 'cart' }, `Pod shop/${APP_POD}`],
  ['KubeContainerOOMKilled', { namespace: 'shop', pod: APP_POD, container: 'cart' }, `Pod shop/${APP_POD}`],
  ['KubePodVolumeMountStuck', { namespace: 'shop', pod: APP_POD }, `Pod shop/${APP_POD}`],
  ['KubePodUnschedulable', { namespace: 'shop', pod: APP_POD }, `Pod shop/${APP_POD}`],
  [
    'KubeContainerImagePullFailing',
    { namespace: 'shop', pod: APP_POD, container: 'cart', reason: 'ErrImagePull' },
    `Pod shop/${APP_POD}`,
  ],
  ['KubePodEvicted', { ...KSM, namespace: 'shop', pod: APP_POD, reason: 'Evicted', ...UID }, `Pod shop/${APP_POD}`],
  ['KubeDeploymentReplicasBelowHPAMin', { namespace: 'shop', deployment: 'cart' }, 'Deployment shop/cart'],
];

function show(named: Named | null): string | null {
  if (!named) return null;
  return named.hostOf ? `node of pod ${named.hostOf.namespace}/${named.hostOf.pod}` : describeTarget(named);
}

function withoutEmpty(labels: Labels): Labels {
  return Object.fromEntries(Object.entries(labels).filter(([, v]) => v !== ''));
}

describe('which object a kubernetes-mixin alert is about', () => {
  it.each(CASES)('%s', (alertname, labels, expected) => {
    const alert = { alertname, severity: 'warning', ...withoutEmpty(labels) };
    const named = namedTarget(alert);
    expect(show(named)).toBe(expected);
    if (!named) return;
    // The object is never the exporter, and the labels it was read from (silence matchers) exist and are not its.
    expect(named.name).not.toBe(KSM_POD);
    for (const label of named.from) {
      expect(alert[label as keyof typeof alert], label).toBeDefined();
      expect([KSM_POD, 'kube-prometheus-stack-kube-state-metrics', 'kube-state-metrics']).not.toContain(
        alert[label as keyof typeof alert],
      );
    }
  });

  it('covers every rule Medic knows, and knows every rule it covers', () => {
    const tested = new Set(CASES.map(([name]) => name));
    expect(Object.keys(ALERT_SUBJECTS).filter((name) => !tested.has(name))).toEqual([]);
    expect([...tested].filter((name) => !(name in ALERT_SUBJECTS))).toEqual([]);
  });

  it('says in words what an alert that names no object is about', () => {
    expect(unnamedSubject({ alertname: 'KubeAPIErrorBudgetBurn' })).toBe('the Kubernetes API server');
    expect(unnamedSubject({ alertname: 'KubeQuotaExceeded' })).toBe('a namespace ResourceQuota');
    expect(unnamedSubject({ alertname: 'KubeDeploymentReplicasMismatch' })).toBeNull();
    expect(unnamedSubject({ alertname: 'SomethingCustom' })).toBeNull();
  });
});

describe('the general rule for alerts Medic does not know', () => {
  const cases: [string, Labels, string | null][] = [
    ['namespace and pod only', { namespace: 'shop', pod: APP_POD }, `Pod shop/${APP_POD}`],
    ['a service', { namespace: 'catalog', service: 'product-search' }, 'Service catalog/product-search'],
    ['a workload with the exporter pod', { ...KSM, namespace: 'shop', deployment: 'cart' }, 'Deployment shop/cart'],
    [
      'a pod behind kube-state-metrics (its own pod wins)',
      { ...KSM, pod: APP_POD, namespace: 'shop' },
      `Pod shop/${APP_POD}`,
    ],
    ['only the exporter and a namespace', { ...KSM, namespace: 'shop' }, null],
    [
      'a renamed kube-state-metrics release',
      { ...KSM, pod: 'mon-ksm-7b9c5d8f6-q2w4e', service: 'mon-ksm', namespace: 'shop', statefulset: 'db' },
      'StatefulSet shop/db',
    ],
    [
      'honor_labels off: the exported_* labels are the object',
      { ...KSM, exported_namespace: 'shop', exported_pod: APP_POD },
      `Pod shop/${APP_POD}`,
    ],
    [
      'honor_labels off, workload only',
      { ...KSM, exported_namespace: 'shop', deployment: 'cart' },
      'Deployment shop/cart',
    ],
    ['a cluster-scoped volume behind the exporter', { ...KSM, persistentvolume: 'pv-1' }, 'PersistentVolume pv-1'],
    ['a node-exporter series', { ...NODE_EXPORTER }, `node of pod monitoring/${NODE_EXPORTER_POD}`],
    [
      'kube-prometheus node-exporter (instance relabeled to the node name)',
      { job: 'node-exporter', instance: NODE, namespace: 'monitoring' },
      null,
    ],
    [
      "Prometheus' example kubernetes-pods relabeling (kubernetes_namespace, kubernetes_pod_name)",
      { job: 'kubernetes-pods', kubernetes_namespace: 'shop', kubernetes_pod_name: APP_POD, app: 'cart' },
      `Pod shop/${APP_POD}`,
    ],
    [
      "an older chart's service endpoints (kubernetes_name is the Service)",
      { job: 'kubernetes-service-endpoints', kubernetes_namespace: 'catalog', kubernetes_name: 'product-search' },
      'Service catalog/product-search',
    ],
    [
      'the legacy labels of kube-state-metrics itself are not the object',
      {
        job: 'kubernetes-service-endpoints',
        kubernetes_namespace: 'monitoring',
        kubernetes_name: 'kube-state-metrics',
      },
      null,
    ],
    [
      "a series' own namespace and pod win over the scrape target's legacy labels",
      { namespace: 'shop', pod: APP_POD, kubernetes_namespace: 'monitoring', kubernetes_pod_name: 'scraper-0' },
      `Pod shop/${APP_POD}`,
    ],
    ['nothing at all', { team: 'payments' }, null],
    ['an alertname that is an Object.prototype key', { namespace: 'shop', pod: APP_POD }, `Pod shop/${APP_POD}`],
  ];
  it.each(cases)('%s', (name, labels, expected) => {
    const alertname = name.includes('Object.prototype') ? 'constructor' : 'CustomRule';
    expect(show(namedTarget({ alertname, ...labels }))).toBe(expected);
  });

  it('keeps the pod as a candidate when the alert also names a workload (the cluster decides)', () => {
    const named = namedTarget({ alertname: 'CustomRule', namespace: 'shop', deployment: 'cart', pod: APP_POD });
    expect(named).toMatchObject({ kind: 'Deployment', name: 'cart', pod: { label: 'pod', name: APP_POD } });
  });

  it("reads cAdvisor's pod_name and container_name of Kubernetes before 1.16", () => {
    const named = namedTarget({
      alertname: 'ContainerMemoryHigh',
      namespace: 'shop',
      pod_name: APP_POD,
      container_name: 'api',
    });
    expect(named).toMatchObject({
      kind: 'Pod',
      name: APP_POD,
      container: 'api',
      from: ['namespace', 'pod_name', 'container_name'],
    });
  });

  it("drops a metrics sidecar's container from its own scrape: the alert is about its pod", () => {
    const scrape = {
      alertname: 'RedisDown',
      namespace: 'cache',
      pod: 'redis-master-0',
      service: 'redis-metrics',
      job: 'redis-metrics',
      endpoint: 'http-metrics',
      instance: '10.244.2.7:9121',
    };
    const bitnami = namedTarget({ ...scrape, container: 'metrics' });
    expect(bitnami).toMatchObject({ kind: 'Pod', name: 'redis-master-0', from: ['namespace', 'pod'] });
    expect(bitnami?.container).toBeUndefined();
    expect(namedTarget({ ...scrape, container: 'postgres-exporter' })?.container).toBeUndefined();
    // The app's own container, scraped by its own ServiceMonitor, stays the target.
    expect(namedTarget({ ...scrape, container: 'redis' })?.container).toBe('redis');
    // cAdvisor's container label is the container measured, even one named metrics.
    expect(
      namedTarget({
        alertname: 'ContainerMemoryHigh',
        namespace: 'cache',
        pod: 'redis-master-0',
        container: 'metrics',
        job: 'kubelet',
      })?.container,
    ).toBe('metrics');
  });

  it("takes a service mesh's destination, not the reporting proxy's pod", () => {
    const istio = {
      alertname: 'ServiceHigh5xxRate',
      reporter: 'source',
      namespace: 'web',
      pod: 'frontend-7d9c8b6f5-q1w2e',
      container: 'istio-proxy',
      destination_service_name: 'checkout',
      destination_service_namespace: 'shop',
      destination_workload: 'checkout',
      destination_workload_namespace: 'shop',
    };
    expect(namedTarget(istio)).toMatchObject({ kind: 'Service', namespace: 'shop', name: 'checkout' });
    const byWorkload = {
      alertname: 'X',
      destination_workload: 'reviews-v2',
      destination_workload_namespace: 'bookinfo',
    };
    expect(namedTarget(byWorkload)).toMatchObject({ kind: 'Deployment', name: 'reviews-v2', guessed: true });
    // Istio writes "unknown" when it could not tell the destination: the other labels decide.
    expect(
      namedTarget({ ...istio, destination_service_name: 'unknown', destination_workload: 'unknown' }),
    ).toMatchObject({ kind: 'Pod', name: 'frontend-7d9c8b6f5-q1w2e' });
    expect(
      namedTarget({
        alertname: 'LinkerdHighErrorRate',
        dst_namespace: 'shop',
        dst_statefulset: 'ledger',
        namespace: 'web',
      }),
    ).toMatchObject({ kind: 'StatefulSet', namespace: 'shop', name: 'ledger' });
  });

  it("takes an ingress controller's backend, not the controller's pod, with or without honor_labels", () => {
    const controller = 'ingress-nginx-controller-6c9d7f8b5-x7k2p';
    const honored = {
      alertname: 'NginxHighHttp5xxErrorRate',
      namespace: 'shop',
      service: 'checkout',
      ingress: 'checkout',
      controller_pod: controller,
      controller_namespace: 'ingress-nginx',
      pod: controller,
      container: 'controller',
      job: 'ingress-nginx-controller-metrics',
    };
    expect(namedTarget(honored)).toMatchObject({ kind: 'Service', namespace: 'shop', name: 'checkout' });
    const renamed = {
      ...honored,
      namespace: 'ingress-nginx',
      service: 'ingress-nginx-controller-metrics',
      exported_namespace: 'shop',
      exported_service: 'checkout',
    };
    expect(namedTarget(renamed)).toMatchObject({ kind: 'Service', namespace: 'shop', name: 'checkout' });
    // The controller's own memory (cAdvisor): about its pod.
    expect(
      namedTarget({
        alertname: 'ContainerMemoryHigh',
        namespace: 'ingress-nginx',
        pod: controller,
        container: 'controller',
        job: 'kubelet',
      }),
    ).toMatchObject({ kind: 'Pod', name: controller });
  });

  it("reads OpenTelemetry's k8s_* resource labels", () => {
    const otel = {
      alertname: 'HighMemory',
      k8s_namespace_name: 'shop',
      k8s_pod_name: APP_POD,
      k8s_container_name: 'cart',
    };
    expect(namedTarget(otel)).toMatchObject({ kind: 'Pod', namespace: 'shop', name: APP_POD, container: 'cart' });
    expect(namedTarget({ ...otel, k8s_deployment_name: 'cart' })).toMatchObject({
      kind: 'Deployment',
      name: 'cart',
      pod: { label: 'k8s_pod_name', name: APP_POD },
    });
    expect(namedTarget({ alertname: 'NodeHot', k8s_node_name: 'worker-3' })).toMatchObject({
      kind: 'Node',
      name: 'worker-3',
    });
  });

  it('finds the node of a kube-prometheus node-exporter alert by its instance', () => {
    expect(namedTarget({ alertname: 'NodeMemoryHighUtilization', job: 'node-exporter', instance: NODE })).toMatchObject(
      {
        kind: 'Node',
        name: NODE,
        guessed: true,
      },
    );
  });
});

describe('silenceLabels', () => {
  it('drops what changes when kube-state-metrics restarts (its pod and pod IP), and nothing that names the object', () => {
    const labels: Labels = {
      alertname: 'KubeDeploymentReplicasMismatch',
      ...KSM,
      namespace: 'shop',
      deployment: 'cart',
    };
    const kept = silenceLabels(labels);
    expect(Object.keys(kept).sort()).toEqual(
      Object.keys(labels)
        .filter((k) => k !== 'pod' && k !== 'instance')
        .sort(),
    );
    expect(kept).toMatchObject({ alertname: 'KubeDeploymentReplicasMismatch', namespace: 'shop', deployment: 'cart' });
  });

  it('keeps node-exporter’s instance, the only label that names its node', () => {
    const labels: Labels = { alertname: 'NodeClockNotSynchronising', ...NODE_EXPORTER };
    const kept = silenceLabels(labels);
    expect(Object.keys(kept).sort()).toEqual(
      Object.keys(labels)
        .filter((k) => k !== 'pod')
        .sort(),
    );
    expect(kept.instance).toBe('10.0.12.4:9100');
  });

  it('keeps every label of an alert about a pod of its own', () => {
    const labels = {
      alertname: 'KubePodCrashLooping',
      ...KSM_SCRAPE,
      namespace: 'shop',
      pod: APP_POD,
      container: 'cart',
    };
    expect(silenceLabels(labels)).toEqual(labels);
  });

  it("takes a blackbox probe's endpoint, never the prober's pod, and keeps it in a silence", () => {
    const prober = {
      job: 'blackbox-exporter-prometheus-blackbox-exporter',
      namespace: 'monitoring',
      pod: 'prometheus-blackbox-exporter-6d8c7b9f5-q2w4e',
      container: 'blackbox-exporter',
      service: 'prometheus-blackbox-exporter',
      endpoint: 'http',
    };
    const external = { alertname: 'BlackboxProbeFailed', ...prober, instance: 'https://checkout.example.com/healthz' };
    expect(namedTarget(external)).toBeNull();
    expect(unnamedSubject(external)).toContain('the endpoint https://checkout.example.com/healthz');
    expect(silenceLabels(external).instance).toBe('https://checkout.example.com/healthz');
    expect(silenceLabels(external).pod).toBeUndefined();
    const inCluster = { ...external, instance: 'http://checkout.shop.svc.cluster.local:8080/healthz' };
    expect(namedTarget(inCluster)).toMatchObject({
      kind: 'Service',
      namespace: 'shop',
      name: 'checkout',
      guessed: true,
    });
    expect(namedTarget({ ...external, instance: 'checkout.shop.svc:8080' })).toMatchObject({ name: 'checkout' });
  });
});

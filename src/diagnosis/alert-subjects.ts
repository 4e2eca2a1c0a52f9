/**
 * What each well-known alert rule is about, by alertname: the object kind and the label that names it, the node an
 * exporter runs on, or nothing Medic can look at. Alert labels mix that object with the labels of the exporter that
 * produced the series (kube-prometheus-stack's kube-state-metrics adds its own pod, container, service, endpoint, job
 * and instance to every Deployment, StatefulSet, Job, HPA, Node and PV series), so the rule decides, not the labels.
 *
 * Read from kubernetes-monitoring/kubernetes-mixin@aa38e2bfa7ea6ec6870420b483046afe790a6411 (alerts/*.libsonnet),
 * kube-prometheus-stack's rendered rules (prometheus-community/helm-charts@cf408a290aec489277a94450bb3511432477a53a,
 * charts/kube-prometheus-stack/templates/prometheus/rules-1.14/) and Medic's own alerting/medic-rules.yaml.
 * Alerts not listed here go through the general rule in target.ts.
 */
import type { TargetKind } from './playbook.js';

export type Subject =
  /** The object `label` names (in the alert's `namespace` for namespaced kinds). */
  | { about: 'object'; kind: TargetKind; label: string }
  /** node-exporter rules: the node the exporter runs on (its `node`/`instance`, or the node of its pod). */
  | { about: 'exporter-node' }
  /** A rule about the cluster, a control-plane endpoint or an object Medic does not diagnose. */
  | { about: 'nothing'; what: string };

const object = (kind: TargetKind, label: string): Subject => ({ about: 'object', kind, label });
const nothing = (what: string): Subject => ({ about: 'nothing', what });
const POD = object('Pod', 'pod');
const NODE = object('Node', 'node');
const EXPORTER_NODE: Subject = { about: 'exporter-node' };
const CLUSTER = nothing('the whole cluster');
const API_SERVER = nothing('the Kubernetes API server');

export const ALERT_SUBJECTS: Readonly<Record<string, Subject>> = {
  // kubernetes-apps: rules about pods keep the pod's own `pod`; the workload rules carry only the exporter's.
  KubePodCrashLooping: POD,
  KubePodNotReady: POD,
  KubeContainerWaiting: POD,
  KubeDeploymentGenerationMismatch: object('Deployment', 'deployment'),
  KubeDeploymentReplicasMismatch: object('Deployment', 'deployment'),
  KubeDeploymentRolloutStuck: object('Deployment', 'deployment'),
  KubeStatefulSetReplicasMismatch: object('StatefulSet', 'statefulset'),
  KubeStatefulSetGenerationMismatch: object('StatefulSet', 'statefulset'),
  KubeStatefulSetUpdateNotRolledOut: object('StatefulSet', 'statefulset'),
  KubeDaemonSetRolloutStuck: object('DaemonSet', 'daemonset'),
  KubeDaemonSetNotScheduled: object('DaemonSet', 'daemonset'),
  KubeDaemonSetMisScheduled: object('DaemonSet', 'daemonset'),
  KubeJobNotCompleted: object('Job', 'job_name'),
  KubeJobFailed: object('Job', 'job_name'),
  KubeHpaReplicasMismatch: object('HorizontalPodAutoscaler', 'horizontalpodautoscaler'),
  KubeHpaMaxedOut: object('HorizontalPodAutoscaler', 'horizontalpodautoscaler'),
  KubePdbNotEnoughHealthyPods: object('PodDisruptionBudget', 'poddisruptionbudget'),
  // kubernetes-resources
  KubeCPUOvercommit: CLUSTER,
  KubeMemoryOvercommit: CLUSTER,
  KubeCPUQuotaOvercommit: CLUSTER,
  KubeMemoryQuotaOvercommit: CLUSTER,
  KubeQuotaAlmostFull: nothing('a namespace ResourceQuota'),
  KubeQuotaFullyUsed: nothing('a namespace ResourceQuota'),
  KubeQuotaExceeded: nothing('a namespace ResourceQuota'),
  CPUThrottlingHigh: POD,
  // kubernetes-storage: kubelet volume stats carry the claim (and the kubelet's node); PV series have no namespace.
  KubePersistentVolumeFillingUp: object('PersistentVolumeClaim', 'persistentvolumeclaim'),
  KubePersistentVolumeInodesFillingUp: object('PersistentVolumeClaim', 'persistentvolumeclaim'),
  KubePersistentVolumeErrors: object('PersistentVolume', 'persistentvolume'),
  // kubernetes-system, kube-apiserver-slos, kubernetes-system-apiserver
  KubeVersionMismatch: CLUSTER,
  KubeClientErrors: nothing('an API client (a component talking to the API server)'),
  KubeAPIErrorBudgetBurn: API_SERVER,
  KubeClientCertificateExpiration: API_SERVER,
  KubeAggregatedAPIErrors: nothing('an aggregated API (APIService)'),
  KubeAggregatedAPIDown: nothing('an aggregated API (APIService)'),
  KubeAPIDown: API_SERVER,
  KubeAPIInstanceUnreachable: API_SERVER,
  KubeAPITerminatedRequests: API_SERVER,
  // kubernetes-system-kubelet: ksm node series and kubelet series (prometheus-operator sets `node` from the target).
  KubeNodeNotReady: NODE,
  KubeNodePressure: NODE,
  KubeNodeUnreachable: NODE,
  KubeletTooManyPods: NODE,
  KubeNodeReadinessFlapping: NODE,
  KubeNodeEviction: NODE,
  KubeletPlegDurationHigh: NODE,
  KubeletPodStartUpLatencyHigh: NODE,
  KubeletClientCertificateExpiration: NODE,
  KubeletServerCertificateExpiration: NODE,
  KubeletClientCertificateRenewalErrors: NODE,
  KubeletServerCertificateRenewalErrors: NODE,
  KubeletInstanceUnreachable: NODE,
  KubeletDown: CLUSTER,
  // kubernetes-system-scheduler, -controller-manager, -kube-proxy: an unreachable instance is the component's own
  // pod (static pod or kube-proxy DaemonSet pod) when the scrape names one; "Down" (absent()) names nothing.
  KubeSchedulerDown: nothing('the kube-scheduler (absent from discovery)'),
  KubeSchedulerInstanceUnreachable: POD,
  KubeControllerManagerDown: nothing('the kube-controller-manager (absent from discovery)'),
  KubeControllerManagerInstanceUnreachable: POD,
  KubeProxyDown: nothing('kube-proxy (absent from discovery)'),
  KubeProxyInstanceUnreachable: POD,
  // node-exporter, node-network
  NodeFilesystemSpaceFillingUp: EXPORTER_NODE,
  NodeFilesystemAlmostOutOfSpace: EXPORTER_NODE,
  NodeFilesystemFilesFillingUp: EXPORTER_NODE,
  NodeFilesystemAlmostOutOfFiles: EXPORTER_NODE,
  NodeNetworkReceiveErrs: EXPORTER_NODE,
  NodeNetworkTransmitErrs: EXPORTER_NODE,
  NodeHighNumberConntrackEntriesUsed: EXPORTER_NODE,
  NodeTextFileCollectorScrapeError: EXPORTER_NODE,
  NodeClockSkewDetected: EXPORTER_NODE,
  NodeClockNotSynchronising: EXPORTER_NODE,
  NodeRAIDDegraded: EXPORTER_NODE,
  NodeRAIDDiskFailure: EXPORTER_NODE,
  NodeFileDescriptorLimit: EXPORTER_NODE,
  NodeCPUHighUsage: EXPORTER_NODE,
  NodeSystemSaturation: EXPORTER_NODE,
  NodeMemoryMajorPagesFaults: EXPORTER_NODE,
  NodeMemoryHighUtilization: EXPORTER_NODE,
  NodeDiskIOSaturation: EXPORTER_NODE,
  NodeSystemdServiceFailed: EXPORTER_NODE,
  NodeSystemdServiceCrashlooping: EXPORTER_NODE,
  NodeBondingDegraded: EXPORTER_NODE,
  NodeNetworkInterfaceFlapping: EXPORTER_NODE,
  // general.rules and kube-state-metrics
  Watchdog: nothing('the alerting pipeline itself (always firing)'),
  InfoInhibitor: nothing('the alerting pipeline itself (inhibits info alerts)'),
  TargetDown: object('Service', 'service'),
  KubeStateMetricsListErrors: nothing('kube-state-metrics itself'),
  KubeStateMetricsWatchErrors: nothing('kube-state-metrics itself'),
  KubeStateMetricsShardingMismatch: nothing('kube-state-metrics itself'),
  KubeStateMetricsShardsMissing: nothing('kube-state-metrics itself'),
  // Medic's own rules (alerting/medic-rules.yaml)
  KubeContainerMemoryNearLimit: POD,
  KubeContainerOOMKilled: POD,
  KubePodVolumeMountStuck: POD,
  KubePodUnschedulable: POD,
  KubeContainerImagePullFailing: POD,
  KubePodEvicted: POD,
  KubeDeploymentReplicasBelowHPAMin: object('Deployment', 'deployment'),
};

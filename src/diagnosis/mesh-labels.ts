/**
 * The destination a service-mesh request metric names (named-target.ts asks it first in the general rule).
 */
import type { WorkloadKind } from '../kube/reader.js';
import type { Named } from './named-target.js';
import type { TargetKind } from './playbook.js';

type Labels = Record<string, string>;

/**
 * Service-mesh request metrics name the server side of a request in labels of their own: Istio's
 * destination_service_name/destination_service_namespace and destination_workload/destination_workload_namespace,
 * Linkerd's dst_deployment (dst_statefulset, dst_daemonset)/dst_namespace. A rule about errors or latency of a service
 * is about that destination, whatever `namespace` and `pod` say: those are the reporting proxy's scrape, the client's
 * own pod when Istio reports as the source. Istio writes "unknown" when it could not tell.
 */
export function meshDestination(labels: Labels): Named | null {
  const known = (name: string) => {
    const value = labels[name];
    return value && value !== 'unknown' ? value : null;
  };
  const service = known('destination_service_name');
  const serviceNs = known('destination_service_namespace');
  if (service && serviceNs)
    return {
      kind: 'Service',
      namespace: serviceNs,
      name: service,
      from: ['destination_service_namespace', 'destination_service_name'],
    };
  const workload = known('destination_workload');
  const workloadNs = known('destination_workload_namespace');
  if (workload && workloadNs)
    return {
      kind: 'Deployment',
      namespace: workloadNs,
      name: workload,
      from: ['destination_workload_namespace', 'destination_workload'],
      guessed: true,
    };
  const linkerdNs = known('dst_namespace');
  const linkerd: [string, WorkloadKind & TargetKind][] = [
    ['dst_deployment', 'Deployment'],
    ['dst_statefulset', 'StatefulSet'],
    ['dst_daemonset', 'DaemonSet'],
  ];
  for (const [label, kind] of linkerd) {
    const name = known(label);
    if (name && linkerdNs) return { kind, namespace: linkerdNs, name, from: ['dst_namespace', label] };
  }
  return null;
}

/**
 * Why an HPA cannot compute a replica count (its ScalingActive condition is False), read from the controller's own
 * words. While it is so the HPA holds its target where it is, whatever the load: no scale-up in a peak.
 * - "missing request for cpu in container X of Pod Y" (the replica calculator): utilization is a share of the
 *   request of every container in the pod, so one container without a request blinds the HPA; the container is in
 *   the workload's template, or added at admission (an injected sidecar).
 * - the resource metrics API (metrics.k8s.io: metrics-server) or a custom/external metrics API (an adapter such as
 *   prometheus-adapter or KEDA) that does not answer.
 * - ScalingDisabled: the target was scaled to zero, and the HPA does nothing until it is scaled up again.
 * Pure; the caller has read the HPA and the workload.
 */
import type { Workload } from '../kube/reader.js';
import type { HpaState } from './hpa.js';
import { injectorFor, templateDefines } from './injected-sidecars.js';

const MISSING_REQUEST = /missing request for (\S+) in container "?([^"\s]+)"? of Pod "?([^"\s]+)"?/;
const METRICS_APIS: [RegExp, string][] = [
  [
    /custom\.metrics\.k8s\.io|custom metrics API/,
    'the custom metrics API (custom.metrics.k8s.io, served by an adapter such as prometheus-adapter) did not give the metric: check the adapter, its rules for that metric, and `kubectl get apiservice | grep metrics`',
  ],
  [
    /external\.metrics\.k8s\.io|external metrics API/,
    'the external metrics API (external.metrics.k8s.io, served by an adapter such as KEDA or prometheus-adapter) did not give the metric: check the adapter and `kubectl get apiservice | grep metrics`',
  ],
  [
    /pods\.metrics\.k8s\.io|resource metrics API/,
    'the resource metrics API (metrics.k8s.io, served by metrics-server) did not answer: check metrics-server in kube-system and `kubectl get apiservice v1beta1.metrics.k8s.io`',
  ],
];

/** What keeps the HPA from computing a replica count, and what to change; null when ScalingActive is not False. */
export function inactiveWords(state: HpaState, workload: Workload | null): string | null {
  const inactive = state.inactive;
  if (!inactive) return null;
  const message = inactive.message.replace(/\s+/g, ' ').trim();
  if (inactive.reason === 'ScalingDisabled') {
    return `its target was scaled to zero replicas, and an HPA does nothing while its target has none (ScalingDisabled: ${message}); scale the workload to at least one replica for it to act again`;
  }
  const missing = MISSING_REQUEST.exec(message);
  if (missing) {
    const [, resource, container, pod] = missing;
    const where = workload ? `${workload.kind} ${workload.name}` : 'the workload';
    const defined = workload ? templateDefines(workload, container ?? '') : true;
    const injector = container ? injectorFor(container) : null;
    const fix = defined
      ? `add resources.requests.${resource} to container ${container} in ${where}'s pod template`
      : `container ${container} is not in ${where}'s pod template but added when its pods are created (${injector ? `injected by ${injector.name}` : 'an injected sidecar, or a mutating webhook'}): give it a ${resource} request where it is injected`;
    return `container ${container} of pod ${pod} has no ${resource} request, and the HPA measures ${resource} utilization as a share of the requests of every container in the pod, so it reads nothing (FailedGetResourceMetric: "${missing[0]}"). ${fix.charAt(0).toUpperCase()}${fix.slice(1)}, or scale on the main container alone with a ContainerResource metric`;
  }
  for (const [api, words] of METRICS_APIS) {
    if (api.test(message)) return `${words} (${inactive.reason}: ${message})`;
  }
  return `it cannot read its metrics: ScalingActive False (${inactive.reason}: ${message})`;
}

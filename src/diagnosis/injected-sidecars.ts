/**
 * Containers a mutating admission webhook adds to pods are not in the workload's pod template, so patching the
 * template's resources for them changes nothing (seen on a consul-k8s lifecycle sidecar OOMKilled at 25Mi: a
 * "25Mi → 50Mi on Deployment/apiserver" proposal would have patched nothing that matters). The injector reads its
 * sidecar's resources from pod-template annotations; those are the change to make.
 */
import type { Workload } from '../kube/reader.js';

export interface Injector {
  /** Who injects the container, as a person would name it. */
  name: string;
  /** Names the injector gives its container (current and older releases). */
  containers: readonly string[];
  /** The pod-template annotations the injector reads the container's limits from. */
  limitAnnotation: Record<LimitResource, string>;
}

export type LimitResource = 'memory' | 'cpu';

/**
 * Container names and annotations from each injector's own source: Istio's annotation registry
 * (`sidecar.istio.io/proxyMemoryLimit`, `…/proxyCPULimit`), Linkerd's proxy config annotations, consul-k8s
 * connect-inject (`consul.hashicorp.com/sidecar-proxy-{memory,cpu}-limit` for the Envoy/dataplane sidecar,
 * `consul.hashicorp.com/consul-sidecar-{memory,cpu}-limit` for the lifecycle sidecar) and Vault's agent injector
 * (`vault.hashicorp.com/agent-limits-{mem,cpu}`).
 */
export const INJECTORS: readonly Injector[] = [
  {
    name: 'Istio',
    containers: ['istio-proxy'],
    limitAnnotation: { memory: 'sidecar.istio.io/proxyMemoryLimit', cpu: 'sidecar.istio.io/proxyCPULimit' },
  },
  {
    name: 'Linkerd',
    containers: ['linkerd-proxy'],
    limitAnnotation: { memory: 'config.linkerd.io/proxy-memory-limit', cpu: 'config.linkerd.io/proxy-cpu-limit' },
  },
  {
    name: 'Consul connect-inject',
    containers: ['envoy-sidecar', 'consul-dataplane'],
    limitAnnotation: {
      memory: 'consul.hashicorp.com/sidecar-proxy-memory-limit',
      cpu: 'consul.hashicorp.com/sidecar-proxy-cpu-limit',
    },
  },
  {
    name: 'Consul connect-inject',
    containers: ['consul-connect-lifecycle-sidecar', 'consul-sidecar'],
    limitAnnotation: {
      memory: 'consul.hashicorp.com/consul-sidecar-memory-limit',
      cpu: 'consul.hashicorp.com/consul-sidecar-cpu-limit',
    },
  },
  {
    name: 'Vault agent injector',
    containers: ['vault-agent', 'vault-agent-init'],
    limitAnnotation: { memory: 'vault.hashicorp.com/agent-limits-mem', cpu: 'vault.hashicorp.com/agent-limits-cpu' },
  },
];

export function injectorFor(container: string): Injector | null {
  return INJECTORS.find((i) => i.containers.includes(container)) ?? null;
}

/** Whether the workload's own pod template defines the container (as a container or an init container). */
export function templateDefines(workload: Workload, container: string): boolean {
  const spec = workload.object.spec?.template?.spec;
  return [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])].some((c) => c.name === container);
}

/** What to tell a person instead of a template patch for a container the template does not define. */
export function injectedLimitAdvice(
  workload: Workload,
  container: string,
  limit: string,
  resource: LimitResource,
): string {
  const ref = `${workload.kind} ${workload.namespace}/${workload.name}`;
  const injector = injectorFor(container);
  if (!injector) {
    return (
      `${container} is not in ${ref}'s pod template: an admission webhook adds it to the pods, so a template patch ` +
      `would change nothing. Raise its ${resource === 'cpu' ? 'CPU' : 'memory'} limit to ${limit} where it is ` +
      "injected (the injector's configuration)."
    );
  }
  const annotation = injector.limitAnnotation[resource];
  const current = workload.object.spec?.template?.metadata?.annotations?.[annotation];
  const now = current === undefined ? 'not set on the template (the injector default applies)' : `now ${current}`;
  return (
    `${container} is injected by ${injector.name}, not defined in ${ref}'s pod template, so a template patch would ` +
    `change nothing. Set the pod-template annotation ${annotation}: "${limit}" (${now}); ` +
    'the injector applies it to new pods at the next rollout.'
  );
}

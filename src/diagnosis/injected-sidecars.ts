/**
 * Containers a mutating admission webhook adds to pods are not in the workload's pod template, so patching the
 * template's resources for them changes nothing (seen on a consul-k8s lifecycle sidecar OOMKilled at 25Mi: a
 * "25Mi → 50Mi on Deployment/apiserver" proposal would have patched nothing that matters). The injector reads its
 * sidecar's resources from pod-template annotations; those are the change to make.
 */
import type { Workload } from '../kube/reader.js';
import { rolloutComplete } from '../kube/rollouts.js';
import { parseCpuMillis, parseQuantity } from '../quantity.js';

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

/** The container as the workload's own pod template defines it (as a container or an init container). */
function templateContainer(workload: Workload, container: string) {
  const spec = workload.object.spec?.template?.spec;
  return [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])].find((c) => c.name === container);
}

/** Whether the workload's own pod template defines the container (as a container or an init container). */
export function templateDefines(workload: Workload, container: string): boolean {
  return templateContainer(workload, container) !== undefined;
}

/**
 * The template's limit for the container when it is above the limit its pods run with (`podLimit`, bytes or
 * millicores): the raise is already made, and the pods that hit the old limit predate it. Proposing a limit from
 * the pods' figure could lower the template's.
 */
export function raisedInTemplate(
  workload: Workload,
  container: string,
  resource: LimitResource,
  podLimit: number,
): string | null {
  const value = templateContainer(workload, container)?.resources?.limits?.[resource];
  const parsed = resource === 'cpu' ? parseCpuMillis(value) : parseQuantity(value);
  return value !== undefined && parsed !== null && parsed > podLimit ? value : null;
}

/** What to say instead of a proposal when the template already holds a higher limit than the pods run with. */
export interface TemplateAheadWords {
  advice: string;
  headline: string;
  /** The pods predate the template: its rollout is what to look at. False when they were changed at admission. */
  rolloutPending: boolean;
}

/**
 * Why pods run below the template's limit, and what to do. While pods of an older revision remain, they predate the
 * raise: watch the rollout. Once every pod was made from the current template, something changed their resources
 * when they were created: the Vertical Pod Autoscaler (its admission controller writes the `vpaUpdates` annotation,
 * "Pod resources updated by <vpa>: container 0: memory request, memory limit", and scales the limit with the
 * request it recommends) or another mutating admission webhook. A template patch changes nothing then.
 */
export function templateAheadWords(
  workload: Workload,
  container: string,
  ahead: string,
  podLimit: string,
  vpaUpdates: string | null,
  resource: LimitResource,
): TemplateAheadWords {
  const ref = `${workload.kind} ${workload.namespace}/${workload.name}`;
  if (!rolloutComplete(workload.kind, workload.object)) {
    const cmd = `kubectl rollout status ${workload.kind.toLowerCase()}/${workload.name} -n ${workload.namespace}`;
    return {
      advice: `${ref}'s pod template already sets ${container}'s limit to ${ahead}, above the ${podLimit} these pods run with: the raise is made, but these pods predate it. No change is proposed; check that the rollout completes (${cmd}), and fix what holds it if it is stuck.`,
      headline: `The pod template already raises it to ${ahead}; these pods have not been replaced yet.`,
      rolloutPending: true,
    };
  }
  const vpa = /updated by ([^:\s]+):/.exec(vpaUpdates ?? '')?.[1];
  if (vpa) {
    return {
      advice: `${ref}'s pod template sets ${container}'s limit to ${ahead}, but its pods, all made from that template, run with ${podLimit}: the VerticalPodAutoscaler ${vpa} rewrote them at creation (pod annotation vpaUpdates: "${vpaUpdates?.trim()}"), scaling the limit with the request it recommends. A template patch would be rewritten the same way, so none is proposed: raise the VPA's minAllowed ${resource} for ${container} (resourcePolicy.containerPolicies), or set its controlledValues to RequestsOnly so it leaves limits alone.`,
      headline: `VerticalPodAutoscaler ${vpa} lowered it from the template's ${ahead} when the pods were created: raise its minAllowed for ${container}, or make it leave limits alone (controlledValues: RequestsOnly).`,
      rolloutPending: false,
    };
  }
  return {
    advice: `${ref}'s pod template sets ${container}'s limit to ${ahead}, but its pods, all made from that template, run with ${podLimit}: a mutating admission webhook (or a policy engine's mutation rule) changed the pods' resources at creation. A template patch would be changed the same way, so none is proposed: find the webhook (kubectl get mutatingwebhookconfigurations) and fix or remove its resource rewrite.`,
    headline: `Its pods run with ${podLimit} though the template sets ${ahead}: a mutating admission webhook changed them at creation.`,
    rolloutPending: false,
  };
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

/** What Medic says instead of a template patch for a container an admission webhook injects. */
import { describe, expect, it } from 'vitest';
import { injectedLimitAdvice, raisedInTemplate, templateDefines } from '../../src/diagnosis/injected-sidecars.js';
import type { Workload } from '../../src/kube/reader.js';

const workload = (annotations: Record<string, string> = {}): Workload =>
  ({
    kind: 'Deployment',
    namespace: 'shop',
    name: 'cart',
    object: {
      spec: {
        template: {
          metadata: { annotations },
          spec: {
            containers: [{ name: 'cart', image: 'cart:1', resources: { limits: { cpu: '1500m', memory: '1Gi' } } }],
          },
        },
      },
    },
  }) as unknown as Workload;

describe('injected sidecars', () => {
  it('is not in the template, the app container is', () => {
    expect(templateDefines(workload(), 'cart')).toBe(true);
    expect(templateDefines(workload(), 'linkerd-proxy')).toBe(false);
  });

  it.each([
    ['istio-proxy', 'cpu', 'sidecar.istio.io/proxyCPULimit'],
    ['istio-proxy', 'memory', 'sidecar.istio.io/proxyMemoryLimit'],
    ['linkerd-proxy', 'cpu', 'config.linkerd.io/proxy-cpu-limit'],
    ['consul-dataplane', 'cpu', 'consul.hashicorp.com/sidecar-proxy-cpu-limit'],
    ['consul-connect-lifecycle-sidecar', 'cpu', 'consul.hashicorp.com/consul-sidecar-cpu-limit'],
    ['vault-agent', 'cpu', 'vault.hashicorp.com/agent-limits-cpu'],
    ['vault-agent', 'memory', 'vault.hashicorp.com/agent-limits-mem'],
  ] as const)('%s: the %s limit is the annotation %s', (container, resource, annotation) => {
    expect(injectedLimitAdvice(workload(), container, '500m', resource)).toContain(
      `Set the pod-template annotation ${annotation}: "500m" (not set on the template`,
    );
    expect(injectedLimitAdvice(workload({ [annotation]: '200m' }), container, '500m', resource)).toContain(
      '(now 200m)',
    );
  });

  it('names the resource when the injector is not known', () => {
    expect(injectedLimitAdvice(workload(), 'datadog-agent', '500m', 'cpu')).toContain(
      'Raise its CPU limit to 500m where it is injected',
    );
  });

  it('finds a limit the template already raised above what the pods run with', () => {
    expect(raisedInTemplate(workload(), 'cart', 'memory', 256 * 2 ** 20)).toBe('1Gi');
    expect(raisedInTemplate(workload(), 'cart', 'memory', 2 ** 30)).toBeNull();
    expect(raisedInTemplate(workload(), 'cart', 'cpu', 1000)).toBe('1500m');
    expect(raisedInTemplate(workload(), 'cart', 'cpu', 2000)).toBeNull();
    expect(raisedInTemplate(workload(), 'istio-proxy', 'cpu', 100)).toBeNull();
  });
});

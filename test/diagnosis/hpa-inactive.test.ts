import { describe, expect, it } from 'vitest';
import { readHpa } from '../../src/diagnosis/hpa.js';
import { inactiveWords } from '../../src/diagnosis/hpa-inactive.js';
import type { HorizontalPodAutoscaler, Workload } from '../../src/kube/reader.js';

function hpa(reason: string, message: string, status = 'False'): HorizontalPodAutoscaler {
  return {
    metadata: { name: 'web', namespace: 'shop' },
    spec: {
      minReplicas: 2,
      maxReplicas: 10,
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
    },
    status: {
      currentReplicas: 3,
      desiredReplicas: 3,
      conditions: [{ type: 'ScalingActive', status, reason, message }],
    },
  } as HorizontalPodAutoscaler;
}

const workload = {
  kind: 'Deployment',
  name: 'web',
  namespace: 'shop',
  object: { spec: { template: { spec: { containers: [{ name: 'web' }, { name: 'log-shipper' }] } } } },
} as unknown as Workload;

const words = (reason: string, message: string, status?: string) =>
  inactiveWords(readHpa(hpa(reason, message, status)), workload);

describe('why an HPA cannot compute a replica count', () => {
  it('names a template container without a CPU request and where to add it', () => {
    const text = words(
      'FailedGetResourceMetric',
      'the HPA was unable to compute the replica count: failed to get cpu utilization: missing request for cpu in container log-shipper of Pod web-5d8f7-abcde',
    );
    expect(text).toContain('container log-shipper of pod web-5d8f7-abcde has no cpu request');
    expect(text).toContain("Add resources.requests.cpu to container log-shipper in Deployment web's pod template");
  });

  it('says an injected container gets its request where it is injected, with the quoted names of newer releases', () => {
    const text = words(
      'FailedGetResourceMetric',
      'the HPA was unable to compute the replica count: failed to get cpu utilization: missing request for cpu in container "istio-proxy" of Pod "web-5d8f7-abcde"',
    );
    expect(text).toContain("Container istio-proxy is not in Deployment web's pod template");
    expect(text).toContain('(injected by Istio)');
    expect(text).not.toContain('Add resources.requests');
  });

  it('tells the resource metrics API apart from the custom and external ones', () => {
    expect(
      words(
        'FailedGetResourceMetric',
        'the HPA was unable to compute the replica count: failed to get cpu utilization: unable to get metrics for resource cpu: unable to fetch metrics from resource metrics API: the server could not find the requested resource (get pods.metrics.k8s.io)',
      ),
    ).toContain('metrics-server');
    expect(
      words(
        'FailedGetPodsMetric',
        'the HPA was unable to compute the replica count: unable to get metric http_requests: unable to fetch metrics from custom metrics API: the server is currently unable to handle the request (get pods.custom.metrics.k8s.io *)',
      ),
    ).toContain('custom metrics API (custom.metrics.k8s.io');
    expect(
      words(
        'FailedGetExternalMetric',
        'the HPA was unable to compute the replica count: unable to get external metric shop/queue_depth/nil: unable to fetch metrics from external metrics API: no matching metrics found',
      ),
    ).toContain('external metrics API (external.metrics.k8s.io');
  });

  it('says a target scaled to zero disables the HPA, and nothing when ScalingActive is True', () => {
    expect(words('ScalingDisabled', 'scaling is disabled since the replica count of the target is zero')).toContain(
      'scaled to zero replicas',
    );
    expect(words('ValidMetricFound', 'the HPA was able to successfully calculate a replica count', 'True')).toBeNull();
  });
});

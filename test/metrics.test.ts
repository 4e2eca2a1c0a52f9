import { describe, expect, it } from 'vitest';
import { createKubeApis, loadKubeConfig } from '../src/kube/client.js';
import { createMetrics, kubeResourceOf } from '../src/metrics.js';
import { startSandbox } from '../src/sandbox/index.js';

describe('Kubernetes request metrics', () => {
  it('names the resource without object names, so label values stay bounded', () => {
    expect(kubeResourceOf('/api/v1/namespaces/ads/pods/ad-server-1/log')).toBe('pods/log');
    expect(kubeResourceOf('/apis/apps/v1/namespaces/ads/deployments/api/scale')).toBe('deployments/scale');
    expect(kubeResourceOf('/apis/apps/v1/namespaces/ads/deployments/api')).toBe('deployments');
    expect(kubeResourceOf('/api/v1/namespaces/ads/events')).toBe('events');
    expect(kubeResourceOf('/api/v1/namespaces/ads')).toBe('namespaces');
    expect(kubeResourceOf('/api/v1/nodes/n1')).toBe('nodes');
    expect(kubeResourceOf('/apis/metrics.k8s.io/v1beta1/namespaces/ads/pods')).toBe('pods');
  });

  it('counts each answered request by method, resource and status', async () => {
    const sandbox = await startSandbox({ objects: [], port: 0 });
    try {
      const metrics = createMetrics();
      const apis = createKubeApis(loadKubeConfig({ server: sandbox.url }), { onRequest: metrics.observeKubeRequest });
      await apis.core.listNamespacedPod({ namespace: 'default' }, apis.callOptions());
      await expect(
        apis.core.readNamespacedPod({ namespace: 'default', name: 'gone' }, apis.callOptions()),
      ).rejects.toThrow();
      const text = await metrics.registry.metrics();
      expect(text).toMatch(/medic_kube_request_duration_seconds_count\{method="GET",resource="pods",code="200"\} 1/);
      expect(text).toMatch(/medic_kube_request_duration_seconds_count\{method="GET",resource="pods",code="404"\} 1/);
    } finally {
      await sandbox.close();
    }
  });
});

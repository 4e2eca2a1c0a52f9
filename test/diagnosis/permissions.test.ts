import { describe, expect, it } from 'vitest';
import { apiDenial, apiPermission } from '../../src/diagnosis/permissions.js';
import type { Pod } from '../../src/kube/reader.js';

function pod(spec: { serviceAccountName?: string; automountServiceAccountToken?: boolean } = {}): Pod {
  return { metadata: { name: 'web-1', namespace: 'shop' }, spec: { containers: [{ name: 'web' }], ...spec } } as Pod;
}

// kubectl's rendering of the API server's 403 (apierrors.NewForbidden around responsewriters.forbiddenMessage).
const KUBECTL =
  'Error from server (Forbidden): configmaps "routes" is forbidden: User "system:serviceaccount:shop:web-sa" cannot get resource "configmaps" in API group "" in the namespace "shop"';

describe('the Kubernetes API refusing a pod', () => {
  it("reads kubectl's denial and names the pod's service account, the grant and the can-i check", () => {
    const words = apiPermission(pod({ serviceAccountName: 'web-sa' }), ['starting', KUBECTL]);
    expect(words).toContain(
      "service account shop/web-sa (the pod's serviceAccountName) to get configmaps in namespace shop",
    );
    expect(words).toContain('a Role in shop (or a ClusterRole)');
    expect(words).toContain('kubectl auth can-i get configmaps -n shop --as=system:serviceaccount:shop:web-sa');
  });

  it('reads a JSON-escaped denial at the cluster scope with an API group and a subresource', () => {
    const line =
      '{"level":"error","msg":"list failed","error":"nodes is forbidden: User \\"system:serviceaccount:shop:default\\" cannot list resource \\"nodes/proxy\\" in API group \\"metrics.k8s.io\\" at the cluster scope"}';
    expect(apiDenial([line])).toEqual({
      user: 'system:serviceaccount:shop:default',
      verb: 'list',
      resource: 'nodes/proxy',
      group: 'metrics.k8s.io',
      namespace: null,
      path: null,
    });
    const words = apiPermission(pod(), [line]);
    expect(words).toContain('it sets no serviceAccountName, so the namespace default');
    expect(words).toContain('a ClusterRole with that verb and resource, bound to it with a ClusterRoleBinding');
    expect(words).toContain('kubectl auth can-i list nodes.metrics.k8s.io --subresource=proxy --as=');
  });

  it('says when the refused account is not the one the pod runs as, and reads a non-resource path', () => {
    const line = 'forbidden: User "system:serviceaccount:ops:scraper" cannot get path "/metrics"';
    const words = apiPermission(pod({ serviceAccountName: 'web-sa' }), [line]);
    expect(words).toContain('service account ops/scraper (the pod runs as shop/web-sa) to get path /metrics');
    expect(words).toContain('nonResourceURL');
  });

  it('names automountServiceAccountToken: false for an anonymous request or a missing token file', () => {
    const anonymous =
      'pods is forbidden: User "system:anonymous" cannot list resource "pods" in API group "" in the namespace "shop"';
    expect(apiPermission(pod({ automountServiceAccountToken: false }), [anonymous])).toContain(
      'automountServiceAccountToken: false',
    );
    const tokenFile = 'open /var/run/secrets/kubernetes.io/serviceaccount/token: no such file or directory';
    expect(apiPermission(pod({ automountServiceAccountToken: false }), [tokenFile])).toContain('no token is mounted');
    expect(apiPermission(pod(), [tokenFile])).toBeNull();
  });

  it('reads nothing into other lines that say forbidden', () => {
    expect(apiPermission(pod(), ['HTTP 403 Forbidden from upstream', 'permission denied: /data/x'])).toBeNull();
  });
});

import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type ApiCall, extractApiCalls, parseApiPath, parseMethodName } from './kube-api-calls.js';
import { type KubeObject, ROOT, render } from './render.js';

/** Medic's Kubernetes client code: src/kube, without the sandbox (a fake API server, not a client). */
function kubeSourceFiles(): string[] {
  const dir = join(ROOT, 'src/kube');
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.startsWith('sandbox'))
    .map((f) => join(dir, f));
}

function codeCalls(): ApiCall[] {
  return kubeSourceFiles().flatMap((file) => extractApiCalls(relative(ROOT, file), readFileSync(file, 'utf8')));
}

const key = (group: string, resource: string, verb: string) => `${group || 'core'} ${resource} ${verb}`;

interface Rule {
  apiGroups?: string[];
  resources?: string[];
  verbs?: string[];
  nonResourceURLs?: string[];
  resourceNames?: string[];
}

/** The rules granted to the medic ServiceAccount through (Cluster)RoleBindings in the rendered base. */
function grantedRules(objects: KubeObject[]): { role: string; rule: Rule }[] {
  const bindings = objects.filter((o) => o.kind === 'ClusterRoleBinding' || o.kind === 'RoleBinding');
  const bound = bindings.filter((b) =>
    (b.subjects ?? []).some((s: any) => s.kind === 'ServiceAccount' && s.name === 'medic' && s.namespace === 'medic'),
  );
  return bound.flatMap((b) => {
    const role = objects.find((o) => o.kind === b.roleRef.kind && o.metadata.name === b.roleRef.name);
    if (!role) throw new Error(`${b.kind}/${b.metadata.name} refers to a missing ${b.roleRef.kind}/${b.roleRef.name}`);
    return (role.rules as Rule[]).map((rule) => ({ role: role.metadata.name, rule }));
  });
}

function grantedPermissions(objects: KubeObject[]): Set<string> {
  const granted = new Set<string>();
  for (const { rule } of grantedRules(objects)) {
    for (const group of rule.apiGroups ?? []) {
      for (const resource of rule.resources ?? []) {
        for (const verb of rule.verbs ?? []) granted.add(key(group, resource, verb));
      }
    }
  }
  return granted;
}

describe('the method-name grammar', () => {
  it('maps generated client methods to resources, subresources and verbs', () => {
    expect(parseMethodName('readNamespacedPodLog')).toEqual({ verb: 'get', resource: 'pods/log' });
    expect(parseMethodName('listPodForAllNamespaces')).toEqual({ verb: 'list', resource: 'pods' });
    expect(parseMethodName('replaceNamespacedDeploymentScale')).toEqual({
      verb: 'update',
      resource: 'deployments/scale',
    });
    expect(parseMethodName('patchNode')).toEqual({ verb: 'patch', resource: 'nodes' });
    expect(parseMethodName('createNamespacedPodEviction')).toEqual({ verb: 'create', resource: 'pods/eviction' });
    expect(parseMethodName('deleteCollectionNamespacedPod')).toEqual({ verb: 'deletecollection', resource: 'pods' });
    expect(parseMethodName('connectPostNamespacedPodExec')).toEqual({ verb: 'create', resource: 'pods/exec' });
    expect(parseMethodName('listNamespacedHorizontalPodAutoscaler')).toEqual({
      verb: 'list',
      resource: 'horizontalpodautoscalers',
    });
    expect(parseMethodName('readNamespacedEndpoints')).toEqual({ verb: 'get', resource: 'endpoints' });
    expect(parseMethodName('then')).toBeNull();
  });

  it('maps raw API paths and custom-object calls', () => {
    expect(parseApiPath('/apis/metrics.k8s.io/v1beta1/namespaces/x/pods/y')).toEqual({
      group: 'metrics.k8s.io',
      resource: 'pods',
      isCollection: false,
    });
    expect(parseApiPath('/api/v1/nodes')).toEqual({ group: '', resource: 'nodes', isCollection: true });
    const text = [
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the source text of a raw API call, not a template
      "await fetch(`${server}/apis/apps/v1/namespaces/${ns}/deployments/${name}/scale`, { method: 'PATCH' });",
      "custom.listClusterCustomObject({ group: 'metrics.k8s.io', version: 'v1beta1', plural: 'nodes' });",
    ].join('\n');
    expect(extractApiCalls('x.ts', text).map((c) => key(c.group, c.resource, c.verb))).toEqual([
      key('metrics.k8s.io', 'nodes', 'list'),
      key('apps', 'deployments/scale', 'patch'),
    ]);
  });
});

// The home cluster (deploy/) and every remote cluster Medic reaches with a kubeconfig (deploy/remote-cluster)
// grant the same least privilege to the ServiceAccount Medic acts as.
describe.each(['deploy', 'deploy/remote-cluster'])('the RBAC in %s', (dir) => {
  const objects = render(dir);
  const calls = codeCalls();

  it('finds the reads and writes of src/kube/reader.ts and src/kube/writer.ts', () => {
    const files = new Set(calls.map((c) => c.source.split(':')[0]));
    expect(files).toContain('src/kube/reader.ts');
    expect(files).toContain('src/kube/writer.ts');
    expect(calls.length).toBeGreaterThan(20);
  });

  it('grants every API call the code makes', () => {
    const granted = grantedPermissions(objects);
    const missing = calls.filter((c) => !granted.has(key(c.group, c.resource, c.verb)));
    expect(missing.map((c) => `${key(c.group, c.resource, c.verb)} (${c.source})`)).toEqual([]);
  });

  it('grants nothing the code does not use', () => {
    const used = new Set(calls.map((c) => key(c.group, c.resource, c.verb)));
    const unused = [...grantedPermissions(objects)].filter((p) => !used.has(p));
    expect(unused).toEqual([]);
  });

  it('has no wildcards, secrets, exec, escalation or non-resource URLs', () => {
    for (const { role, rule } of grantedRules(objects)) {
      const where = `${role}: ${JSON.stringify(rule)}`;
      expect([...(rule.apiGroups ?? []), ...(rule.resources ?? []), ...(rule.verbs ?? [])], where).not.toContain('*');
      expect(rule.nonResourceURLs, where).toBeUndefined();
      expect(rule.resources ?? [], where).not.toContain('secrets');
      for (const sub of ['pods/exec', 'pods/attach', 'pods/portforward', 'nodes/proxy', 'serviceaccounts/token']) {
        expect(rule.resources ?? [], where).not.toContain(sub);
      }
      for (const verb of ['escalate', 'bind', 'impersonate', 'watch', 'deletecollection']) {
        expect(rule.verbs ?? [], where).not.toContain(verb);
      }
    }
  });
});

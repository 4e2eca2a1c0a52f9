/**
 * Who syncs an object, on the label and annotation sets the tools really write (Argo CD 3 annotation tracking
 * on a rendered chart, Argo CD label tracking, Flux's kustomize- and helm-controller, `helm install`, chart
 * labels without a release), and the medic.yaml `managedBy` verdict with the change to commit.
 */
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseSettings } from '../../src/config/load.js';
import { changedFields } from '../../src/remediation/diff.js';
import { detectOwner, type ObjectMetadata } from '../../src/remediation/ownership.js';
import { gitOpsVerdict } from '../../src/remediation/rails.js';
import type { ManifestEdit } from '../../src/remediation/types.js';

/** Argo CD 3 (annotation tracking) syncing a Helm chart: `helm template` leaves the chart's labels. */
const ARGO_ANNOTATION_ON_CHART: ObjectMetadata = {
  labels: {
    'app.kubernetes.io/instance': 'shop-api',
    'app.kubernetes.io/managed-by': 'Helm',
    'app.kubernetes.io/name': 'shop-api',
    'helm.sh/chart': 'shop-api-1.4.2',
  },
  annotations: {
    'argocd.argoproj.io/tracking-id': 'shop-api:apps/Deployment:shop/shop-api',
    'deployment.kubernetes.io/revision': '12',
  },
};

const FLUX_HELM_RELEASE: ObjectMetadata = {
  labels: {
    'app.kubernetes.io/managed-by': 'Helm',
    'app.kubernetes.io/name': 'podinfo',
    'helm.sh/chart': 'podinfo-6.7.1',
    'helm.toolkit.fluxcd.io/name': 'podinfo',
    'helm.toolkit.fluxcd.io/namespace': 'flux-system',
  },
  annotations: { 'meta.helm.sh/release-name': 'podinfo', 'meta.helm.sh/release-namespace': 'apps' },
};

const HELM_INSTALL: ObjectMetadata = {
  labels: {
    'app.kubernetes.io/instance': 'cache',
    'app.kubernetes.io/managed-by': 'Helm',
    'app.kubernetes.io/name': 'redis',
    'helm.sh/chart': 'redis-19.0.1',
  },
  annotations: { 'meta.helm.sh/release-name': 'cache', 'meta.helm.sh/release-namespace': 'shop' },
};

describe('detectOwner', () => {
  it('Argo CD annotation tracking wins over the chart labels of the Helm chart it rendered', () => {
    expect(detectOwner(ARGO_ANNOTATION_ON_CHART)).toMatchObject({
      tool: 'argocd',
      description: 'Argo CD application shop-api',
      evidence: 'argocd.argoproj.io/tracking-id',
    });
  });

  it('names an Application outside the control-plane namespace by namespace/name', () => {
    const owner = detectOwner({
      annotations: { 'argocd.argoproj.io/tracking-id': 'team-a_checkout:apps/Deployment:shop/checkout' },
    });
    expect(owner?.description).toBe('Argo CD application team-a/checkout');
  });

  it('Argo CD label tracking with its argocd.argoproj.io/instance label', () => {
    const owner = detectOwner({ labels: { app: 'payments', 'argocd.argoproj.io/instance': 'payments-prod' } });
    expect(owner).toMatchObject({ tool: 'argocd', description: 'Argo CD application payments-prod' });
  });

  it('app.kubernetes.io/instance alone names nobody: charts and kustomizations write it too', () => {
    expect(detectOwner({ labels: { 'app.kubernetes.io/instance': 'payments', app: 'payments' } })).toBeNull();
  });

  it('Flux kustomize-controller labels name the Kustomization', () => {
    const owner = detectOwner({
      labels: {
        app: 'shop',
        'kustomize.toolkit.fluxcd.io/name': 'apps',
        'kustomize.toolkit.fluxcd.io/namespace': 'flux-system',
      },
    });
    expect(owner).toMatchObject({ tool: 'flux', description: 'Flux Kustomization flux-system/apps' });
  });

  it("Flux helm-controller wins over the Helm release annotations it installs through Helm's SDK", () => {
    expect(detectOwner(FLUX_HELM_RELEASE)).toMatchObject({
      tool: 'flux',
      description: 'Flux HelmRelease flux-system/podinfo',
    });
  });

  it('helm install: the release annotations name the release', () => {
    expect(detectOwner(HELM_INSTALL)).toMatchObject({
      tool: 'helm',
      description: 'Helm release shop/cache',
      evidence: 'meta.helm.sh/release-name and app.kubernetes.io/managed-by: Helm',
    });
  });

  it('chart labels without a release (a claim from a volumeClaimTemplate) name nobody', () => {
    const claim = {
      labels: {
        'app.kubernetes.io/component': 'primary',
        'app.kubernetes.io/instance': 'pg',
        'app.kubernetes.io/managed-by': 'Helm',
        'app.kubernetes.io/name': 'postgresql',
      },
    };
    expect(detectOwner(claim)).toBeNull();
  });

  it('a workload no tool marked has no owner', () => {
    expect(
      detectOwner({ labels: { app: 'api' }, annotations: { 'deployment.kubernetes.io/revision': '3' } }),
    ).toBeNull();
    expect(detectOwner({})).toBeNull();
  });
});

const limitEdit = (metadata: ObjectMetadata): ManifestEdit => ({
  kind: 'Deployment',
  namespace: 'shop',
  name: 'shop-api',
  metadata,
  fields: {
    spec: { template: { spec: { containers: [{ name: 'app', resources: { limits: { memory: '512Mi' } } }] } } },
  },
});

describe('gitOpsVerdict (medic.yaml managedBy)', () => {
  const managedBy = (yaml: string) => parseSettings(yaml, 'medic.yaml').managedBy;

  it('warns by default, naming the owner, with the change to commit as YAML at its manifest path', () => {
    const verdict = gitOpsVerdict(managedBy(''), [limitEdit(ARGO_ANNOTATION_ON_CHART)]);
    expect(verdict?.rail).toBe('managedBy.argocd');
    expect(verdict?.note.policy).toBe('warn');
    expect(verdict?.note.owners).toEqual(['Argo CD application shop-api']);
    expect(verdict?.note.manifest.split('\n')[0]).toBe('# Deployment shop/shop-api (Argo CD application shop-api)');
    expect(parse(verdict?.note.manifest ?? '')).toEqual(limitEdit({}).fields);
  });

  it('refuse and allow per owner; the strictest owner of the changed objects decides', () => {
    const settings = managedBy('managedBy: {argocd: refuse, helm: allow}\n');
    expect(gitOpsVerdict(settings, [limitEdit(ARGO_ANNOTATION_ON_CHART)])?.note.policy).toBe('refuse');
    expect(gitOpsVerdict(settings, [limitEdit(HELM_INSTALL)])).toBeNull();
    const hpa = { ...limitEdit(HELM_INSTALL), kind: 'HorizontalPodAutoscaler', fields: { spec: { minReplicas: 4 } } };
    const both = gitOpsVerdict(managedBy('managedBy: {flux: refuse}\n'), [
      limitEdit(HELM_INSTALL),
      { ...hpa, metadata: FLUX_HELM_RELEASE },
    ]);
    expect(both?.rail).toBe('managedBy.flux');
    expect(both?.note.owners).toEqual(['Helm release shop/cache', 'Flux HelmRelease flux-system/podinfo']);
    expect(both?.note.manifest.split('\n---\n')).toHaveLength(2);
  });

  it('nothing owned, or no edits (a restart, a cordon): no verdict', () => {
    expect(gitOpsVerdict(managedBy('managedBy: {argocd: refuse}'), [limitEdit({ labels: { app: 'x' } })])).toBeNull();
    expect(gitOpsVerdict(managedBy('managedBy: {argocd: refuse}'), undefined)).toBeNull();
  });

  it('medic.yaml rejects an unknown owner or policy with the setting named', () => {
    expect(() => parseSettings('managedBy: {argo: refuse}\n', 'medic.yaml')).toThrow(/managedBy/);
    expect(() => parseSettings('managedBy: {helm: deny}\n', 'medic.yaml')).toThrow(/managedBy\.helm/);
  });
});

describe('changedFields (the manifest change of a rollback)', () => {
  it('keeps only what differs, containers by name, removed fields as null', () => {
    const before = {
      metadata: { labels: { app: 'api' } },
      spec: {
        containers: [
          { name: 'app', image: 'api:2.0', env: [{ name: 'MODE', value: 'fast' }] },
          { name: 'proxy', image: 'envoy:1.30' },
        ],
      },
    };
    const after = {
      metadata: { labels: { app: 'api' } },
      spec: {
        containers: [
          { name: 'app', image: 'api:1.9' },
          { name: 'proxy', image: 'envoy:1.30' },
        ],
      },
    };
    expect(changedFields(before, after)).toEqual({
      spec: { containers: [{ name: 'app', image: 'api:1.9', env: null }] },
    });
  });
});

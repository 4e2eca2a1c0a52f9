/**
 * medic.yaml `managedBy` through remediation's prepare and execute, against the sandbox with the real client:
 * each kind whose change a manifest holds names the objects it changes, the owner decides, and the change to
 * commit is the live patch's; the execution re-applies the rule whatever the proposal carries.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { settingsSchema } from '../../src/config/settings.js';
import { isMedicError } from '../../src/errors.js';
import { createClusterWriter } from '../../src/kube/writer.js';
import { createRemediation } from '../../src/remediation/index.js';
import { silentLogger } from '../support/redis.js';
import { action, type Harness, proposalFrom, startHarness } from './fixtures.js';

const ARGO = { annotations: { 'argocd.argoproj.io/tracking-id': 'ads:apps/Deployment:ads/api' } };
const FLUX = {
  labels: { 'kustomize.toolkit.fluxcd.io/name': 'ads', 'kustomize.toolkit.fluxcd.io/namespace': 'flux-system' },
};
const HELM = {
  labels: { 'app.kubernetes.io/managed-by': 'Helm' },
  annotations: { 'meta.helm.sh/release-name': 'api', 'meta.helm.sh/release-namespace': 'ads' },
};

let h: Harness;
afterEach(async () => {
  await h?.close();
});

/** Marks an object of the harness's cluster as a tool marks what it applies (a merge patch through the API). */
async function own(kind: 'Deployment' | 'HorizontalPodAutoscaler', name: string, metadata: object) {
  const writer = createClusterWriter(h.cluster.apis);
  if (kind === 'Deployment') {
    await writer.patchWorkload('ads', 'Deployment', name, { metadata }, 'merge', { dryRun: false });
  } else {
    await writer.patchHorizontalPodAutoscaler('ads', name, { metadata }, { dryRun: false });
  }
}

/** A second Remediation on the harness's cluster and Redis with other medic.yaml settings (a changed config). */
function remediationWith(settings: Record<string, unknown>) {
  return createRemediation({
    writer: createClusterWriter(h.cluster.apis),
    settings: settingsSchema.parse(settings),
    redis: h.redis,
    keyPrefix: h.prefix,
    logger: silentLogger,
  });
}

const documents = (manifest: string) => parseAllDocuments(manifest).map((d) => d.toJS());

describe('GitOps owners in prepare and execute', () => {
  it('scale (warn): both owners named, the replicas and the HPA bounds to commit, and the scale still runs', async () => {
    h = await startHarness();
    await own('Deployment', 'api', FLUX);
    await own('HorizontalPodAutoscaler', 'api', HELM);
    const proposed = action('scale', { namespace: 'ads', workload: 'Deployment/api', replicas: 6 });
    const prepared = await h.remediation.prepare(proposed);
    if (!prepared.ok) throw new Error(prepared.reason);
    expect(prepared.gitops?.policy).toBe('warn');
    expect(prepared.gitops?.owners).toEqual(['Flux Kustomization flux-system/ads', 'Helm release ads/api']);
    expect(documents(prepared.gitops?.manifest ?? '')).toEqual([
      { spec: { replicas: 6 } },
      { spec: { minReplicas: 6, maxReplicas: 10 } },
    ]);
    expect(prepared.gitops?.manifest).toContain('# HorizontalPodAutoscaler ads/api (Helm release ads/api)');
    const outcome = await h.remediation.execute(proposalFrom(proposed, prepared));
    expect(outcome.ok).toBe(true);
    expect(h.stored('apps/v1', 'Deployment', 'ads', 'api').spec.replicas).toBe(6);
  });

  it('set-hpa-max (helm: refuse): no proposal, the change to commit; a proposal made under warn never runs', async () => {
    h = await startHarness({ settings: { managedBy: { helm: 'refuse' } } });
    await own('HorizontalPodAutoscaler', 'api', HELM);
    const proposed = action('set-hpa-max', { namespace: 'ads', hpa: 'api', maxReplicas: 15 });
    const refused = await h.remediation.prepare(proposed);
    expect(refused).toMatchObject({
      ok: false,
      rail: 'managedBy.helm',
      reason: 'Refused by guard rail managedBy.helm: Helm release ads/api owns it; commit the change instead',
    });
    if (refused.ok) return;
    expect(documents(refused.gitops?.manifest ?? '')).toEqual([{ spec: { maxReplicas: 15 } }]);

    // Proposed while medic.yaml said warn; approved after it says refuse: the execution refuses, nothing changes.
    const warned = await remediationWith({}).prepare(proposed);
    const error = await h.remediation.execute(proposalFrom(proposed, warned)).catch((e: unknown) => e);
    expect(isMedicError(error) && error.field).toBe('managedBy.helm');
    expect(h.stored('autoscaling/v2', 'HorizontalPodAutoscaler', 'ads', 'api').spec.maxReplicas).toBe(10);
  });

  it('rollout-undo (Argo CD): the change to commit is the template fields the rollback changes', async () => {
    h = await startHarness();
    await own('Deployment', 'api', ARGO);
    const prepared = await h.remediation.prepare(
      action('rollout-undo', { namespace: 'ads', workload: 'Deployment/api' }),
    );
    if (!prepared.ok) throw new Error(prepared.reason);
    expect(prepared.gitops?.owners).toEqual(['Argo CD application ads']);
    expect(documents(prepared.gitops?.manifest ?? '')).toEqual([
      { spec: { template: { spec: { containers: [{ name: 'app', image: 'ads/api:v1' }] } } } },
    ]);
  });

  it('a restart changes nothing a manifest holds: no owner rule, even under refuse; allow shows no warning', async () => {
    h = await startHarness({ settings: { managedBy: { argocd: 'refuse', flux: 'allow' } } });
    await own('Deployment', 'api', ARGO);
    const restart = await h.remediation.prepare(
      action('rollout-restart', { namespace: 'ads', workload: 'Deployment/api' }),
    );
    expect(restart).toMatchObject({ ok: true });
    expect(restart.gitops).toBeUndefined();

    await own('Deployment', 'api', { annotations: { 'argocd.argoproj.io/tracking-id': null }, ...FLUX });
    const limit = await h.remediation.prepare(
      action('set-memory-limit', { namespace: 'ads', workload: 'Deployment/api', container: 'app', limit: '512Mi' }),
    );
    expect(limit).toMatchObject({ ok: true });
    expect(limit.gitops).toBeUndefined();
  });

  it.each([
    {
      kind: 'set-cpu-limit' as const,
      params: { namespace: 'ads', workload: 'Deployment/api', container: 'app', limit: '2' },
      fields: { spec: { template: { spec: { containers: [{ name: 'app', resources: { limits: { cpu: '2' } } }] } } } },
    },
    {
      kind: 'patch-rollout-safety' as const,
      params: {
        namespace: 'ads',
        workload: 'Deployment/api',
        preStopSleepSeconds: 10,
        terminationGracePeriodSeconds: 60,
      },
      fields: {
        spec: {
          template: {
            spec: {
              terminationGracePeriodSeconds: 60,
              containers: [{ name: 'app', lifecycle: { preStop: { sleep: { seconds: 10 } } } }],
            },
          },
        },
      },
    },
    {
      kind: 'resize-pvc' as const,
      params: { namespace: 'ads', pvc: 'data', size: '150Gi' },
      fields: { spec: { resources: { requests: { storage: '150Gi' } } } },
    },
  ])(
    '$kind on a Helm release: the change to commit is the patch Medic would apply',
    async ({ kind, params, fields }) => {
      h = await startHarness({
        objects: [
          {
            apiVersion: 'storage.k8s.io/v1',
            kind: 'StorageClass',
            metadata: { name: 'gp3' },
            provisioner: 'ebs.csi.aws.com',
            allowVolumeExpansion: true,
          },
          {
            apiVersion: 'v1',
            kind: 'PersistentVolumeClaim',
            metadata: { name: 'data', namespace: 'ads', ...HELM },
            spec: {
              accessModes: ['ReadWriteOnce'],
              resources: { requests: { storage: '100Gi' } },
              storageClassName: 'gp3',
              volumeName: 'pvc-data',
            },
            status: { phase: 'Bound', capacity: { storage: '100Gi' } },
          },
        ],
      });
      await own('Deployment', 'api', HELM);
      const prepared = await h.remediation.prepare(action(kind, params));
      if (!prepared.ok) throw new Error(prepared.reason);
      expect(prepared.gitops?.owners).toEqual(['Helm release ads/api']);
      expect(prepared.gitops?.advice).toContain("release's values");
      expect(documents(prepared.gitops?.manifest ?? '')).toEqual([fields]);
    },
  );
});

import { describe, expect, it } from 'vitest';
import { createClusterRegistry, settingsForCluster } from '../../src/clusters/registry.js';
import { parseSettings } from '../../src/config/load.js';

const settings = parseSettings(
  [
    'approvers: [UGLOBAL]',
    'remediation: {namespaces: ["*"], maxExecutionsPerHour: 7}',
    'clusterLabel: k8s_cluster',
    'channels:',
    '  - {match: {cluster: prod-eu}, channel: CPROD}',
    '  - {match: {namespace: ads}, channel: CADS}',
    'clusters:',
    '  - {name: prod-eu, approvers: [UPROD], remediation: {namespaces: ["shop-*"]}}',
    '  - {name: staging}',
  ].join('\n'),
  'medic.yaml',
);
const clusters = (settings.clusters ?? []).map((c) => ({ name: c.name, setting: c }));

describe('which cluster (src/clusters/registry.ts)', () => {
  const registry = createClusterRegistry(settings, clusters);

  it('routes an alert by its clusterLabel label, and says plainly when that names no configured cluster', () => {
    expect(registry.forAlert({ k8s_cluster: 'staging' })).toMatchObject({ ok: true, cluster: { name: 'staging' } });
    expect(registry.forAlert({ k8s_cluster: 'qa' })).toEqual({
      ok: false,
      message:
        "The alert's k8s_cluster label names cluster qa, which Medic is not configured for (its clusters: prod-eu, staging); nothing was read from any cluster.",
    });
    // The default label name is not read when clusterLabel names another one.
    expect(registry.forAlert({ cluster: 'staging' }).ok).toBe(false);
  });

  it('sends an alert without the label to defaultCluster, and without one answers instead of guessing', () => {
    expect(registry.forAlert({ alertname: 'X' })).toMatchObject({
      ok: false,
      message: expect.stringMatching(/^The alert has no k8s_cluster label and medic.yaml sets no defaultCluster/),
    });
    const withDefault = createClusterRegistry({ ...settings, defaultCluster: 'prod-eu' }, clusters);
    expect(withDefault.forAlert({ alertname: 'X' })).toMatchObject({ ok: true, cluster: { name: 'prod-eu' } });
    expect(withDefault.nameOf({ alertname: 'X' })).toBe('prod-eu');
    // A label naming an unknown cluster is not sent to the default: that would diagnose the wrong cluster.
    expect(withDefault.forAlert({ k8s_cluster: 'qa' }).ok).toBe(false);
  });

  it('finds a proposal only in the cluster its record names', () => {
    expect(registry.forProposal({ cluster: 'prod-eu' })?.name).toBe('prod-eu');
    expect(registry.forProposal({ cluster: 'qa' })).toBeNull();
    expect(registry.forProposal({})).toBeNull();
  });

  it('chooses a command cluster by --cluster, else the channel routed to one cluster, else lists them', () => {
    expect(registry.forCommand('staging', 'CANY')).toMatchObject({ ok: true, cluster: { name: 'staging' } });
    expect(registry.forCommand('qa', 'CANY')).toEqual({
      ok: false,
      message: 'Medic has no cluster named `qa`; its clusters: prod-eu, staging.',
    });
    expect(registry.forCommand(undefined, 'CPROD')).toMatchObject({ ok: true, cluster: { name: 'prod-eu' } });
    expect(registry.forCommand(undefined, 'CADS')).toEqual({
      ok: false,
      message:
        'Medic serves several clusters: prod-eu, staging. Add `--cluster NAME` to say which one; nothing was done.',
    });
  });

  it('with one unnamed cluster, every question has that answer and names nothing', () => {
    const one = createClusterRegistry(parseSettings('', 'medic.yaml'), [{ name: undefined }]);
    expect(one.isNamed).toBe(false);
    expect(one.forAlert({ cluster: 'anything' })).toEqual({ ok: true, cluster: { name: undefined } });
    expect(one.nameOf({ cluster: 'anything' })).toBeUndefined();
    expect(one.forProposal({})).toEqual({ name: undefined });
    expect(one.forProposal({ cluster: 'prod-eu' })).toBeNull();
    expect(one.forCommand(undefined, 'C1')).toEqual({ ok: true, cluster: { name: undefined } });
    expect(one.forCommand('prod', 'C1').ok).toBe(false);
  });

  it("applies a cluster's approvers and remediation keys over the global ones, key by key", () => {
    const [prod, staging] = settings.clusters ?? [];
    if (!prod || !staging) throw new Error('two clusters expected');
    const forProd = settingsForCluster(settings, prod);
    expect(forProd.approvers).toEqual(['UPROD']);
    expect(forProd.remediation.namespaces).toEqual(['shop-*']);
    expect(forProd.remediation.maxExecutionsPerHour).toBe(7);
    expect(forProd.remediation.denyNamespaces).toEqual(['kube-system']);
    const forStaging = settingsForCluster(settings, staging);
    expect(forStaging.approvers).toEqual(['UGLOBAL']);
    expect(forStaging.remediation).toEqual(settings.remediation);
  });
});

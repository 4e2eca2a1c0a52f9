import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MedicError } from '../../src/errors.js';
import { action, type Harness, proposalFrom, startHarness } from './fixtures.js';

const run = promisify(execFile);

const storageClass = (name: string, allowVolumeExpansion?: boolean) => ({
  apiVersion: 'storage.k8s.io/v1',
  kind: 'StorageClass',
  metadata: { name },
  provisioner: 'ebs.csi.aws.com',
  parameters: { type: 'gp3' },
  reclaimPolicy: 'Delete',
  volumeBindingMode: 'WaitForFirstConsumer',
  ...(allowVolumeExpansion === undefined ? {} : { allowVolumeExpansion }),
});

const claim = (name: string, className: string, size: string, phase = 'Bound') => ({
  apiVersion: 'v1',
  kind: 'PersistentVolumeClaim',
  metadata: { name, namespace: 'ads', uid: `3a8aa1b3-5a22-4451-8f11-${name.length.toString().padStart(12, '0')}` },
  spec: {
    accessModes: ['ReadWriteOnce'],
    resources: { requests: { storage: size } },
    storageClassName: className,
    volumeMode: 'Filesystem',
    ...(phase === 'Bound' ? { volumeName: `pvc-${name}` } : {}),
  },
  status: phase === 'Bound' ? { phase, accessModes: ['ReadWriteOnce'], capacity: { storage: size } } : { phase },
});

const OBJECTS = [
  storageClass('gp3', true),
  storageClass('gp2'),
  claim('data-db-0', 'gp3', '100Gi'),
  claim('data-legacy-0', 'gp2', '100Gi'),
  claim('data-new-0', 'gp3', '100Gi', 'Pending'),
  claim('data-huge-0', 'gp3', '1536Gi'),
];

describe('resize-pvc, through the real client and kubectl against the sandbox', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness({ objects: OBJECTS });
  });
  afterEach(async () => {
    await h.close();
  });

  const resize = async (pvc: string, size: string) => {
    const proposed = action('resize-pvc', { namespace: 'ads', pvc, size });
    const prepared = await h.remediation.prepare(proposed);
    return { proposed, prepared };
  };
  const kubectl = (...args: string[]) => run('kubectl', [`--server=${h.cluster.sandbox.url}`, ...args]);
  const requested = (pvc: string) =>
    h.stored('v1', 'PersistentVolumeClaim', 'ads', pvc).spec.resources.requests.storage;

  it('grows the claim: the dry run changes nothing, the approved run shows in kubectl', async () => {
    const { proposed, prepared } = await resize('data-db-0', '150Gi');
    if (!prepared.ok) throw new Error(prepared.reason);
    expect(prepared.diff).toEqual([
      { field: 'PersistentVolumeClaim/data-db-0 spec.resources.requests.storage', before: '100Gi', after: '150Gi' },
    ]);
    expect(prepared.notes[0]).toMatch(/StorageClass gp3 \(ebs.csi.aws.com\) allows expansion.*never shrink/);
    expect(requested('data-db-0')).toBe('100Gi');
    const outcome = await h.remediation.execute(proposalFrom(proposed, prepared));
    expect(outcome).toMatchObject({ ok: true, message: 'PersistentVolumeClaim ads/data-db-0 resized 100Gi → 150Gi' });
    const { stdout } = await kubectl('get', 'pvc', '-n', 'ads', 'data-db-0', '--no-headers');
    expect(stdout).toMatch(/^data-db-0\s+Bound\s+pvc-data-db-0\s+150Gi\s+gp3\s/);
  });

  it('never shrinks, and a second identical resize is already in effect', async () => {
    expect((await resize('data-db-0', '50Gi')).prepared).toMatchObject({ ok: false, rail: 'no-shrink' });
    expect((await resize('data-db-0', '100Gi')).prepared).toMatchObject({
      ok: false,
      reason: 'PersistentVolumeClaim ads/data-db-0 already requests 100Gi',
    });
    expect(requested('data-db-0')).toBe('100Gi');
  });

  it('refuses a class without allowVolumeExpansion, a Pending claim, and sizes beyond medic.yaml volumes', async () => {
    const legacy = await resize('data-legacy-0', '150Gi');
    expect(legacy.prepared).toMatchObject({ ok: false, rail: 'storageclass-expansion' });
    expect((legacy.prepared as { reason: string }).reason).toMatch(/StorageClass gp2 does not allow volume expansion/);
    expect((await resize('data-new-0', '150Gi')).prepared).toMatchObject({
      ok: false,
      reason: 'PersistentVolumeClaim ads/data-new-0 is Pending: only a bound claim can be resized',
    });
    expect((await resize('data-db-0', '250Gi')).prepared).toMatchObject({ ok: false, rail: 'volumes.maxGrowthFactor' });
    expect((await resize('data-huge-0', '3Ti')).prepared).toMatchObject({ ok: false, rail: 'volumes.maxSize' });
    expect(requested('data-legacy-0')).toBe('100Gi');
  });

  it('is stale when someone resized the claim after the proposal', async () => {
    const { proposed, prepared } = await resize('data-db-0', '150Gi');
    await kubectl(
      'patch',
      'pvc',
      '-n',
      'ads',
      'data-db-0',
      '-p',
      '{"spec":{"resources":{"requests":{"storage":"120Gi"}}}}',
    );
    const error = (await h.remediation
      .execute(proposalFrom(proposed, prepared))
      .catch((e: unknown) => e)) as MedicError;
    expect(error.code).toBe('PROPOSAL_STALE');
    expect(error.message).toMatch(/spec.resources.requests.storage was 100Gi, now 120Gi/);
    expect(requested('data-db-0')).toBe('120Gi');
  });

  it('the sandbox answers kubectl as a real API server does: no shrink, no resize on a class that cannot expand', async () => {
    const shrink = await kubectl(
      'patch',
      'pvc',
      '-n',
      'ads',
      'data-db-0',
      '-p',
      '{"spec":{"resources":{"requests":{"storage":"10Gi"}}}}',
    ).catch((e: { stderr: string }) => e);
    expect((shrink as { stderr: string }).stderr).toMatch(
      /The PersistentVolumeClaim "data-db-0" is invalid: spec.resources.requests.storage: Forbidden: field can not be less than previous value/,
    );
    const legacy = await kubectl(
      'patch',
      'pvc',
      '-n',
      'ads',
      'data-legacy-0',
      '-p',
      '{"spec":{"resources":{"requests":{"storage":"200Gi"}}}}',
    ).catch((e: { stderr: string }) => e);
    expect((legacy as { stderr: string }).stderr).toMatch(
      /persistentvolumeclaims "data-legacy-0" is forbidden: only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize/,
    );
    const { stdout } = await kubectl('get', 'sc', '--no-headers');
    expect(stdout).toMatch(/^gp2\s+ebs.csi.aws.com\s+Delete\s+WaitForFirstConsumer\s+false\s/m);
    expect(stdout).toMatch(/^gp3\s+ebs.csi.aws.com\s+Delete\s+WaitForFirstConsumer\s+true\s/m);
    expect(requested('data-db-0')).toBe('100Gi');
    expect(requested('data-legacy-0')).toBe('100Gi');
  });
});

/** The size Medic proposes for a full volume, and which StorageClass a claim gets (named, default, none). */
import { describe, expect, it } from 'vitest';
import { settingsSchema } from '../../src/config/settings.js';
import { classOfClaim, proposeVolumeSize } from '../../src/diagnosis/volumes.js';
import type { PersistentVolumeClaim, StorageClass } from '../../src/kube/reader.js';
import { formatStorage } from '../../src/quantity.js';

const Gi = 2 ** 30;
const defaults = settingsSchema.parse({});

describe('proposeVolumeSize', () => {
  it('grows by half, or enough for the data to fill 70 %, in whole Gi', () => {
    expect(proposeVolumeSize(100 * Gi, 97.9 * Gi, defaults)).toBe('150Gi');
    expect(proposeVolumeSize(20 * Gi, null, defaults)).toBe('30Gi');
    // 180Gi used on 190Gi: 1.5× is 285Gi, but 180/0.7 = 257.2Gi is less; 1.5× wins.
    expect(proposeVolumeSize(190 * Gi, 180 * Gi, defaults)).toBe('285Gi');
  });

  it('stays within volumes.maxGrowthFactor and volumes.maxSize, and offers nothing at the bound', () => {
    const tight = settingsSchema.parse({ volumes: { maxGrowthFactor: 1.2, maxSize: '1Ti' } });
    expect(proposeVolumeSize(100 * Gi, 99 * Gi, tight)).toBe('120Gi');
    expect(proposeVolumeSize(900 * Gi, 890 * Gi, tight)).toBe('1Ti');
    expect(proposeVolumeSize(1024 * Gi, 1000 * Gi, tight)).toBeNull();
  });

  it('formats sizes as people write them, never below the bytes', () => {
    expect(formatStorage(2 * 1024 * Gi)).toBe('2Ti');
    expect(formatStorage(1536 * Gi)).toBe('1536Gi');
    expect(formatStorage(97.9 * Gi)).toBe('98Gi');
    expect(formatStorage(300 * 2 ** 20)).toBe('300Mi');
  });
});

const sc = (name: string, isDefault = false): StorageClass => ({
  metadata: { name, ...(isDefault ? { annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } } : {}) },
  provisioner: 'ebs.csi.aws.com',
});
const claim = (storageClassName?: string): PersistentVolumeClaim => ({
  metadata: { name: 'data', namespace: 'ns' },
  spec: { ...(storageClassName === undefined ? {} : { storageClassName }) },
});

describe('classOfClaim', () => {
  it('finds the named class, or says it is missing', () => {
    expect(classOfClaim(claim('gp3'), [sc('gp3')])).toMatchObject({ kind: 'found', name: 'gp3', defaulted: false });
    expect(classOfClaim(claim('fast-ssd'), [sc('gp3', true)])).toEqual({ kind: 'missing', name: 'fast-ssd' });
  });

  it('falls back to the default class, and knows when there is none or static binding was asked for', () => {
    expect(classOfClaim(claim(), [sc('gp2'), sc('gp3', true)])).toMatchObject({
      kind: 'found',
      name: 'gp3',
      defaulted: true,
    });
    expect(classOfClaim(claim(), [sc('gp2')])).toEqual({ kind: 'none' });
    expect(classOfClaim(claim(''), [sc('gp3', true)])).toEqual({ kind: 'static' });
  });
});

/** A claim's StorageClass (named, defaulted or absent) and the size to grow a full volume to. */
import type { Settings } from '../config/settings.js';
import type { PersistentVolumeClaim, StorageClass } from '../kube/reader.js';
import { formatStorage, parseQuantity } from '../quantity.js';

const GI = 2 ** 30;

const DEFAULT_ANNOTATIONS = [
  'storageclass.kubernetes.io/is-default-class',
  'storageclass.beta.kubernetes.io/is-default-class',
];

export function isDefaultClass(sc: StorageClass): boolean {
  return DEFAULT_ANNOTATIONS.some((a) => sc.metadata?.annotations?.[a] === 'true');
}

export type ClassOfClaim =
  | { kind: 'found'; name: string; storageClass: StorageClass; defaulted: boolean }
  /** The claim names a class the cluster does not have. */
  | { kind: 'missing'; name: string }
  /** No class named and no default class: only a pre-created PersistentVolume can satisfy it. */
  | { kind: 'none' }
  /** `storageClassName: ""`: static binding on purpose. */
  | { kind: 'static' };

/**
 * The class that provisions (or would provision) a claim. An unset `storageClassName` means the default
 * class, which the admission plugin writes into the claim at creation — when one existed then.
 */
export function classOfClaim(pvc: PersistentVolumeClaim, classes: StorageClass[]): ClassOfClaim {
  const name = pvc.spec?.storageClassName;
  if (name === '') return { kind: 'static' };
  if (name) {
    const storageClass = classes.find((c) => c.metadata?.name === name);
    return storageClass ? { kind: 'found', name, storageClass, defaulted: false } : { kind: 'missing', name };
  }
  const fallback = classes.find(isDefaultClass);
  return fallback?.metadata?.name
    ? { kind: 'found', name: fallback.metadata.name, storageClass: fallback, defaulted: true }
    : { kind: 'none' };
}

export function claimCapacity(pvc: PersistentVolumeClaim): number | null {
  return parseQuantity(pvc.status?.capacity?.storage) ?? parseQuantity(pvc.spec?.resources?.requests?.storage);
}

/**
 * The size to grow a full volume to: at least 1.5× what it has and enough for the data to fill 70 % of it,
 * capped by medic.yaml `volumes.maxGrowthFactor` and `volumes.maxSize`; null when no larger size is allowed.
 */
export function proposeVolumeSize(capacity: number, used: number | null, settings: Settings): string | null {
  const { maxSize, maxGrowthFactor } = settings.volumes;
  const wantedGi = Math.ceil(Math.max(capacity * 1.5, (used ?? 0) / 0.7) / GI);
  const boundGi = Math.floor(Math.min(capacity * maxGrowthFactor, maxSize) / GI);
  const sizeGi = Math.min(wantedGi, boundGi);
  return sizeGi * GI > capacity ? formatStorage(sizeGi * GI) : null;
}

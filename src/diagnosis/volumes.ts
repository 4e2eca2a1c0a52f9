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

/** How far a resize that was asked of a claim has got. */
export type ResizeState = 'failed' | 'waiting-for-pod' | 'under-way';

export interface PendingResize {
  /** The size the claim asks for (spec), above what its volume has (status). */
  requested: number;
  state: ResizeState;
  /** What the claim's condition or allocatedResourceStatuses says, e.g. "FileSystemResizePending: Waiting for …". */
  detail: string | null;
}

const FAILED_STATES = new Set(['ControllerResizeFailed', 'NodeResizeFailed']);
const NODE_PENDING_STATES = new Set(['NodeResizePending']);
const FAILED_CONDITIONS = new Set(['ControllerResizeError', 'NodeResizeError']);

/**
 * A resize already asked of the claim and not finished: its spec asks for more than its volume has. Asking again
 * would change nothing (and a cloud may refuse a second change for hours: EBS allows one per volume every 6 h), so
 * what to say depends on how far the first one got — `failed` (the resizer's error), `waiting-for-pod` (the
 * filesystem grows when a pod mounts the volume again) or `under-way`. Null when no resize is pending.
 */
export function pendingResize(pvc: PersistentVolumeClaim): PendingResize | null {
  const requested = parseQuantity(pvc.spec?.resources?.requests?.storage);
  const capacity = parseQuantity(pvc.status?.capacity?.storage);
  if (requested === null || capacity === null || requested <= capacity) return null;
  const allocated = pvc.status?.allocatedResourceStatuses?.storage;
  const condition = pvc.status?.conditions?.find((c) => c.status === 'True');
  const detail =
    [
      condition && `${condition.type}${condition.message ? `: ${condition.message.trim().replace(/\.$/, '')}` : ''}`,
      allocated && `allocatedResourceStatuses ${allocated}`,
    ]
      .filter(Boolean)
      .join('; ') || null;
  const failed = (allocated && FAILED_STATES.has(allocated)) || FAILED_CONDITIONS.has(condition?.type ?? '');
  const waiting = (allocated && NODE_PENDING_STATES.has(allocated)) || condition?.type === 'FileSystemResizePending';
  return { requested, state: failed ? 'failed' : waiting ? 'waiting-for-pod' : 'under-way', detail };
}

/**
 * Who holds a volume a pod cannot attach, from the attach-detach controller's Multi-Attach event: "Multi-Attach
 * error for volume "pvc-…" Volume is already used by pod(s) a, b[ and N pod(s) in different namespaces]" (names
 * only the pods of the waiting pod's namespace), or "… Volume is already exclusively attached to one node and
 * can't be attached to another" (no pod uses it any more: the attachment outlived its pod).
 */
export function multiAttachHolders(message: string): string[] | null {
  if (!/Multi-Attach error/i.test(message)) return null;
  const used = /Volume is already used by pod\(s\) (.+?)(?: and \d+ pod\(s\) in different namespaces)?\s*$/.exec(
    message,
  );
  return used?.[1]
    ? used[1]
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : [];
}

/** Whether only one node at a time may attach the claim's volume (ReadWriteOnce or ReadWriteOncePod). */
export function singleNodeClaim(pvc: PersistentVolumeClaim): boolean {
  const modes = pvc.spec?.accessModes ?? pvc.status?.accessModes ?? [];
  return modes.length > 0 && modes.every((m) => m === 'ReadWriteOnce' || m === 'ReadWriteOncePod');
}

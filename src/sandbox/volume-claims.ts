/**
 * What a real API server enforces when a PersistentVolumeClaim's storage request changes, and what the
 * external-resizer and kubelet leave behind once a resize has gone through (the new capacity in the status).
 * Wording from kube-apiserver's PVC validation and the PersistentVolumeClaimResize admission plugin.
 */
import { parseQuantity } from '../quantity.js';
import { isRecord, type KubeObject } from './object.js';
import { ApiError, type StatusCause } from './status.js';
import type { SandboxStore } from './store.js';

const FIELD = 'spec.resources.requests.storage';

function requested(claim: KubeObject): unknown {
  const spec = isRecord(claim.spec) ? claim.spec : {};
  const resources = isRecord(spec.resources) ? spec.resources : {};
  return isRecord(resources.requests) ? resources.requests.storage : undefined;
}

function specOf(claim: KubeObject): Record<string, unknown> {
  return isRecord(claim.spec) ? claim.spec : {};
}

/** Causes for 422 Invalid: a shrink, or a resize of a claim that is not bound yet. */
export function claimUpdateCauses(previous: KubeObject, next: KubeObject): StatusCause[] {
  const before = parseQuantity(requested(previous));
  const after = parseQuantity(requested(next));
  if (before === null || after === null || before === after) return [];
  if (after < before) {
    return [
      { reason: 'FieldValueForbidden', field: FIELD, message: 'Forbidden: field can not be less than previous value' },
    ];
  }
  if (!specOf(previous).volumeName) {
    return [
      {
        reason: 'FieldValueForbidden',
        field: 'spec',
        message: 'Forbidden: spec is immutable after creation except resources.requests for bound claims',
      },
    ];
  }
  return [];
}

/** The admission plugin's 403 when a claim grows whose StorageClass does not allow expansion (or does not exist). */
export function admitClaimResize(store: SandboxStore, previous: KubeObject, next: KubeObject): void {
  const before = parseQuantity(requested(previous));
  const after = parseQuantity(requested(next));
  if (before === null || after === null || after <= before) return;
  const className = specOf(next).storageClassName;
  const storageClass =
    typeof className === 'string' && className
      ? store.get('storage.k8s.io/v1', 'StorageClass', undefined, className)
      : undefined;
  if (storageClass?.allowVolumeExpansion === true) return;
  throw new ApiError(
    403,
    'Forbidden',
    `persistentvolumeclaims "${previous.metadata.name}" is forbidden: only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize`,
    { name: previous.metadata.name, kind: 'persistentvolumeclaims' },
  );
}

/** After a resize the volume and its filesystem reach the new size: the claim's status shows it. */
export function resizedClaim(claim: KubeObject, previous: KubeObject | undefined): KubeObject {
  const size = requested(claim);
  if (!previous || requested(previous) === size || typeof size !== 'string') return claim;
  const status = isRecord(claim.status) ? claim.status : {};
  if (status.phase !== 'Bound') return claim;
  const capacity = isRecord(status.capacity) ? status.capacity : {};
  return { ...claim, status: { ...status, capacity: { ...capacity, storage: size } } };
}

/**
 * `resize-pvc`: raises a claim's `spec.resources.requests.storage`; the CSI driver grows the volume and the
 * kubelet its filesystem. Never a shrink (no storage system can give the bytes back safely), only on a
 * StorageClass with `allowVolumeExpansion: true`, and within medic.yaml `volumes.maxSize` / `maxGrowthFactor`.
 */
import { formatStorage, parseQuantity } from '../../quantity.js';
import { AlreadyInEffect, notApplicable, railRefusal } from '../errors.js';
import type { ActionHandler } from '../types.js';
import { manifestEdit } from '../workload.js';

export const resizePvcAction: ActionHandler<'resize-pvc'> = {
  kind: 'resize-pvc',
  namespaceOf: (params) => params.namespace,
  async plan(ctx, params) {
    const { namespace, pvc: name, size } = params;
    const what = `PersistentVolumeClaim ${namespace}/${name}`;
    const claim = await ctx.writer.readPersistentVolumeClaim(namespace, name, ctx.signal);
    if (claim.status?.phase !== 'Bound' || !claim.spec?.volumeName) {
      throw notApplicable(`${what} is ${claim.status?.phase ?? 'not bound'}: only a bound claim can be resized`);
    }
    const current = claim.spec.resources?.requests?.storage ?? '';
    const currentBytes = parseQuantity(current) ?? 0;
    const capacityBytes = parseQuantity(claim.status.capacity?.storage) ?? 0;
    const wanted = parseQuantity(size) ?? 0;
    if (wanted === currentBytes) throw new AlreadyInEffect(`${what} already requests ${current}`);
    const floor = Math.max(currentBytes, capacityBytes);
    if (wanted < floor) {
      throw railRefusal(
        'no-shrink',
        `${size} is less than the ${formatStorage(floor)} ${what} already has; volumes only grow`,
      );
    }
    const className = claim.spec.storageClassName;
    if (!className) throw notApplicable(`${what} has no StorageClass: a pre-provisioned volume is grown by its owner`);
    const storageClass = await ctx.writer.readStorageClass(className, ctx.signal);
    if (storageClass.allowVolumeExpansion !== true) {
      throw railRefusal(
        'storageclass-expansion',
        `StorageClass ${className} does not allow volume expansion (allowVolumeExpansion is not true)`,
      );
    }
    const { maxSize, maxGrowthFactor } = ctx.settings.volumes;
    if (wanted > maxSize) {
      throw railRefusal(
        'volumes.maxSize',
        `${size} is above the largest size Medic may set, ${formatStorage(maxSize)}`,
      );
    }
    if (wanted > floor * maxGrowthFactor) {
      throw railRefusal(
        'volumes.maxGrowthFactor',
        `${formatStorage(floor)} → ${size} grows by more than ×${maxGrowthFactor} at once`,
      );
    }
    const resizing = (claim.status.conditions ?? []).find(
      (c) => c.type === 'Resizing' || c.type === 'FileSystemResizePending',
    );
    const patch = { spec: { resources: { requests: { storage: size } } } };
    return {
      diff: [{ field: `PersistentVolumeClaim/${name} spec.resources.requests.storage`, before: current, after: size }],
      edits: [manifestEdit('PersistentVolumeClaim', namespace, claim, patch)],
      notes: [
        `StorageClass ${className} (${storageClass.provisioner}) allows expansion: the volume grows, the pods keep running. It can never shrink back.`,
        ...(resizing ? [`An earlier resize is still in progress (${resizing.type}).`] : []),
      ],
      precondition: {
        kind: 'PersistentVolumeClaim',
        namespace,
        name,
        fields: { 'spec.resources.requests.storage': current },
      },
      async apply(dryRun) {
        await ctx.writer.patchPersistentVolumeClaim(namespace, name, patch, { dryRun, signal: ctx.signal });
        return `${what} resized ${current} → ${size}`;
      },
    };
  },
};

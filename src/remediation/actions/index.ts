/** Every action kind's handler, one per kind of the vocabulary (a test walks this list). */
import type { ActionKind } from '../../vocabulary.js';
import type { ActionHandler } from '../types.js';
import { cordonNodeAction } from './cordon-node.js';
import { deletePodAction } from './delete-pod.js';
import { patchRolloutSafetyAction } from './patch-rollout-safety.js';
import { resizePvcAction } from './resize-pvc.js';
import { rolloutRestartAction } from './rollout-restart.js';
import { rolloutUndoAction } from './rollout-undo.js';
import { scaleAction } from './scale.js';
import { setCpuLimitAction } from './set-cpu-limit.js';
import { setHpaMaxAction } from './set-hpa-max.js';
import { setMemoryLimitAction } from './set-memory-limit.js';
import { silenceAction } from './silence.js';

export const ACTION_HANDLERS: { [K in ActionKind]: ActionHandler<K> } = {
  scale: scaleAction,
  'set-memory-limit': setMemoryLimitAction,
  'rollout-restart': rolloutRestartAction,
  'rollout-undo': rolloutUndoAction,
  'patch-rollout-safety': patchRolloutSafetyAction,
  'delete-pod': deletePodAction,
  'cordon-node': cordonNodeAction,
  silence: silenceAction,
  'set-hpa-max': setHpaMaxAction,
  'set-cpu-limit': setCpuLimitAction,
  'resize-pvc': resizePvcAction,
};

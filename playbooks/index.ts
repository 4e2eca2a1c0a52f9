/**
 * Every playbook, in the order the engine tries them; the first that returns a diagnosis wins. Why this order:
 * 1. target-not-found — nothing else can be said about an object that is gone.
 * 2. node-not-ready — a dead node explains every symptom of the pods it strands (not ready, stuck Terminating,
 *    statuses the kubelet can no longer update), so it wins over every pod playbook; it names only NotReady nodes
 *    that hold the alert's unfinished pods (evicted, Failed pods are node-memory-eviction's).
 * 3. volume-full — only KubePersistentVolume(Inodes)FillingUp-like alerts: the volume is the subject, whatever
 *    the pods that mount it are doing (a crash loop on "No space left on device" is the full volume's doing).
 * 4. sidecar-oom before 5. oom-killed — a consul sidecar's OOM kill is the more specific (identity churn) cause.
 * 5. oom-killed before crashloop — an OOMKilled last state explains a CrashLoopBackOff.
 * 6. node-memory-eviction — evicted pods are not OOM kills and are not crash-looping.
 * 7. image-pull — a pod that cannot start its image cannot crash either.
 * 8. volume-provisioning before 9. volume-zone-conflict, 10. volume-attach and 11. insufficient-capacity — a claim
 *    that never gets a volume keeps its pod Pending however much room the nodes have ("pod has unbound immediate
 *    PersistentVolumeClaims" is this, not capacity); a WaitForFirstConsumer claim waiting for its pod's scheduling
 *    is not a failure and falls through to the scheduler's own reason.
 * 9. volume-zone-conflict before 10. volume-attach and 11. insufficient-capacity — scheduling and mounting
 *    problems keep pods from ever running; the zone conflict is the more specific FailedScheduling.
 * 12. crashloop — an app error, once memory, eviction, image and volume causes are ruled out.
 * 13. unsafe-rollout — manifest hazards explain a replica shortfall only when no pod is failing for another reason.
 * 14. unknown — the fallback: lists what was found.
 */
import type { Playbook } from '../src/diagnosis/playbook.js';
import { crashloop } from './crashloop.js';
import { imagePull } from './image-pull.js';
import { insufficientCapacity } from './insufficient-capacity.js';
import { nodeMemoryEviction } from './node-memory-eviction.js';
import { nodeNotReady } from './node-not-ready.js';
import { oomKilled } from './oom-killed.js';
import { sidecarOom } from './sidecar-oom.js';
import { targetNotFound } from './target-not-found.js';
import { unknown } from './unknown.js';
import { unsafeRollout } from './unsafe-rollout.js';
import { volumeAttach } from './volume-attach.js';
import { volumeFull } from './volume-full.js';
import { volumeProvisioning } from './volume-provisioning.js';
import { volumeZoneConflict } from './volume-zone-conflict.js';

export const PLAYBOOKS: readonly Playbook[] = [
  targetNotFound,
  nodeNotReady,
  volumeFull,
  sidecarOom,
  oomKilled,
  nodeMemoryEviction,
  imagePull,
  volumeProvisioning,
  volumeZoneConflict,
  volumeAttach,
  insufficientCapacity,
  crashloop,
  unsafeRollout,
  unknown,
];

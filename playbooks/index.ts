/**
 * Every playbook, in the order the engine tries them; the first that returns a diagnosis wins. Why this order:
 * - target-not-found — nothing else can be said about an object that is gone.
 * - node-not-ready — a dead node explains every symptom of the pods it strands (not ready, stuck Terminating,
 *   statuses the kubelet can no longer update), so it wins over every pod playbook; it names only NotReady nodes
 *   that hold the alert's unfinished pods (evicted, Failed pods are node-memory-eviction's).
 * - volume-full — only KubePersistentVolume(Inodes)FillingUp-like alerts: the volume is the subject, whatever
 *   the pods that mount it are doing (a crash loop on "No space left on device" is the full volume's doing).
 * - sidecar-oom before oom-killed — a consul sidecar's OOM kill is the more specific (identity churn) cause.
 * - oom-killed before crashloop, probe-failure and job-failed — an OOMKilled last state explains a CrashLoopBackOff,
 *   and an OOM-killed Job pod is OOM_LIMIT, not JOB_FAILED (exit 137 alone is no OOM: the reason decides).
 * - node-memory-eviction — evicted pods are not OOM kills and are not crash-looping.
 * - ephemeral-storage-eviction — the other evictions (node DiskPressure, the pod's own ephemeral-storage limit);
 *   the eviction message decides between the two eviction playbooks (src/diagnosis/eviction.ts), so their order
 *   between themselves does not matter, and both come before anything that reads a Failed pod as a crash.
 * - image-pull — a pod that cannot start its image cannot crash either (and a Job that cannot pull is not JOB_FAILED).
 * - config-missing before volume-zone-conflict/volume-attach — CreateContainerConfigError or a FailedMount of a
 *   configMap/secret volume: the pod never starts, and a configMap volume that cannot be mounted is not a disk that
 *   cannot be attached.
 * - volume-provisioning before volume-zone-conflict, volume-attach and insufficient-capacity — a claim that never
 *   gets a volume keeps its pod Pending however much room the nodes have ("pod has unbound immediate
 *   PersistentVolumeClaims" is this, not capacity); a WaitForFirstConsumer claim waiting for its pod's scheduling
 *   is not a failure and falls through to the scheduler's own reason.
 * - volume-zone-conflict before volume-attach and insufficient-capacity — scheduling and mounting
 *   problems keep pods from ever running; the zone conflict is the more specific FailedScheduling.
 * - probe-failure before crashloop — a liveness kill (exit 137/143 by the kubelet, "failed liveness probe") is why
 *   the container restarts; a container that exits on its own with no probe kill stays a crash loop.
 * - job-failed before crashloop — a Job's pods fail once each and the Job gives up: JOB_FAILED, once the more
 *   specific causes of its pods (OOM, image, missing config, probe) are ruled out.
 * - quota-exceeded after insufficient-capacity — the namespace side of "no room for new pods": pods refused at
 *   admission never exist, so no playbook before it can see them; before crashloop and unsafe-rollout, because a
 *   workload short of replicas whose pods cannot even be created is explained by the refusal, not by its manifest.
 *   It also takes kubernetes-mixin's KubeQuota* rules, which name a ResourceQuota and no workload: the workload is
 *   the one that quota refused, and a full quota that refused nothing is its UNKNOWN, with the quota's state. Pods
   refused by another admission rule (Pod Security Admission, a webhook that denies them or cannot be called, a
   missing ServiceAccount) are its UNKNOWN too, naming the rule, before a later playbook blames the manifest.
 * - crashloop — an app error, once memory, eviction, image, config, volume and probe causes are ruled out.
 * - cpu-throttling — only throttling alerts; after OOM kills and crash loops (a container killed or crashing is the
 *   worse problem) and before unsafe-rollout, whose manifest findings say nothing about CPU.
 * - hpa-maxed-out — a peak the HPA may not answer (at maxReplicas, metric above target) once no pod is failing,
 *   unschedulable or throttled by its own limit: those explain the symptom more specifically, and raising the
 *   maximum would not fix them. Before unsafe-rollout: an HPA at its ceiling explains a traffic alert better than
 *   manifest hazards do.
 * - unsafe-rollout — manifest hazards explain a replica shortfall only when no pod is failing for another reason,
 *   and never an alert about one pod that is not ready (only a traffic alert about a pod).
 * - hpa-maxed-out and unsafe-rollout also step aside for a pod blocked for a reason no playbook before them knew
 *   (src/diagnosis/blocked.ts findBlockedPod: a container that cannot be created, a node selector or anti-affinity no
 *   node satisfies, a pod the kubelet rejected at admission (an unsafe sysctl, no room on its node), a pod left
 *   ContainerCreating with a kubelet warning such as a sandbox the CNI cannot give an IP address, or for more than
 *   ten minutes with no event left to say why, a container whose readiness probe kept it unready as long): their fixes
 *   would leave it blocked, so UNKNOWN names it with the kubelet's or scheduler's words. One
   exception: when no pod is available because the rollout's strategy (Recreate, maxUnavailable of every pod) stopped
   the old revision before the blocked new pods could run, unsafe-rollout names both, with nothing proposed.
 * - unknown — the fallback: lists what was found.
 */
import type { Playbook } from '../src/diagnosis/playbook.js';
import { configMissing } from './config-missing.js';
import { cpuThrottling } from './cpu-throttling.js';
import { crashloop } from './crashloop.js';
import { ephemeralStorageEviction } from './ephemeral-storage-eviction.js';
import { hpaMaxedOut } from './hpa-maxed-out.js';
import { imagePull } from './image-pull.js';
import { insufficientCapacity } from './insufficient-capacity.js';
import { jobFailed } from './job-failed.js';
import { nodeMemoryEviction } from './node-memory-eviction.js';
import { nodeNotReady } from './node-not-ready.js';
import { oomKilled } from './oom-killed.js';
import { probeFailure } from './probe-failure.js';
import { quotaExceeded } from './quota-exceeded.js';
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
  ephemeralStorageEviction,
  imagePull,
  configMissing,
  volumeProvisioning,
  volumeZoneConflict,
  volumeAttach,
  insufficientCapacity,
  quotaExceeded,
  probeFailure,
  jobFailed,
  crashloop,
  cpuThrottling,
  hpaMaxedOut,
  unsafeRollout,
  unknown,
];

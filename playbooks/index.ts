/**
 * Every playbook, in the order the engine tries them; the first that returns a diagnosis wins. Why this order:
 * 1. target-not-found — nothing else can be said about an object that is gone.
 * 2. sidecar-oom before 3. oom-killed — a consul sidecar's OOM kill is the more specific (identity churn) cause.
 * 3. oom-killed before crashloop — an OOMKilled last state explains a CrashLoopBackOff.
 * 4. node-memory-eviction — evicted pods are not OOM kills and are not crash-looping.
 * 5. image-pull — a pod that cannot start its image cannot crash either.
 * 6. volume-zone-conflict before 7. volume-attach and 8. insufficient-capacity — scheduling and mounting
 *    problems keep pods from ever running; the zone conflict is the more specific FailedScheduling.
 * 9. quota-exceeded after insufficient-capacity — the namespace side of "no room for new pods": pods refused at
 *    admission never exist, so no playbook before it can see them; before crashloop and unsafe-rollout, because a
 *    workload short of replicas whose pods cannot even be created is explained by the refusal, not by its manifest.
 * 10. crashloop — an app error, once memory, eviction, image and volume causes are ruled out.
 * 11. cpu-throttling — only throttling alerts; after OOM kills and crash loops (a container killed or crashing is the
 *    worse problem) and before unsafe-rollout, whose manifest findings say nothing about CPU.
 * 12. hpa-maxed-out — a peak the HPA may not answer (at maxReplicas, metric above target) once no pod is failing,
 *    unschedulable or throttled by its own limit: those explain the symptom more specifically, and raising the
 *    maximum would not fix them. Before unsafe-rollout: an HPA at its ceiling explains a traffic alert better than
 *    manifest hazards do.
 * 13. unsafe-rollout — manifest hazards explain a replica shortfall only when no pod is failing for another reason.
 * 14. unknown — the fallback: lists what was found.
 */
import type { Playbook } from '../src/diagnosis/playbook.js';
import { cpuThrottling } from './cpu-throttling.js';
import { crashloop } from './crashloop.js';
import { hpaMaxedOut } from './hpa-maxed-out.js';
import { imagePull } from './image-pull.js';
import { insufficientCapacity } from './insufficient-capacity.js';
import { nodeMemoryEviction } from './node-memory-eviction.js';
import { oomKilled } from './oom-killed.js';
import { quotaExceeded } from './quota-exceeded.js';
import { sidecarOom } from './sidecar-oom.js';
import { targetNotFound } from './target-not-found.js';
import { unknown } from './unknown.js';
import { unsafeRollout } from './unsafe-rollout.js';
import { volumeAttach } from './volume-attach.js';
import { volumeZoneConflict } from './volume-zone-conflict.js';

export const PLAYBOOKS: readonly Playbook[] = [
  targetNotFound,
  sidecarOom,
  oomKilled,
  nodeMemoryEviction,
  imagePull,
  volumeZoneConflict,
  volumeAttach,
  insufficientCapacity,
  quotaExceeded,
  crashloop,
  cpuThrottling,
  hpaMaxedOut,
  unsafeRollout,
  unknown,
];

/**
 * What a crash loop's log and termination say beyond "the app exited", each read by its own module: a port another
 * container of the pod holds (port-conflict.ts), an Istio sidecar not yet passing the pod's connections
 * (mesh-sidecars.ts), a name that does not resolve (name-resolution.ts), CoreDNS's forwarding loop (dns-loop.ts),
 * a program the image or the node's CPU cannot run or a subPath it cannot mount (start-failures.ts), /dev/shm, a
 * read-only root filesystem or a refused volume path (filesystems.ts), the Kubernetes API refusing the pod's service
 * account (permissions.ts), a server rejecting its credentials (credentials.ts) or out of connection slots
 * (connection-limits.ts), a peer's TLS certificate (certificates.ts), a connection a NetworkPolicy drops
 * (network-policies.ts), a missing environment variable (environment.ts), the node's inotify limits
 * (watch-limits.ts), file descriptors, local ports or threads (process-limits.ts), a memory quantity in milli-units
 * (quantity-typos.ts), a runtime's full heap (heap.ts), a clean exit under restartPolicy Always (clean-exits.ts).
 * Each is in the pod spec, the image or the cluster, never in the one pod: a replacement pod crashes the same way.
 */
import type { Evidence } from '../types.js';
import { certificateProblem } from './certificates.js';
import { cleanExit } from './clean-exits.js';
import { connectionSlotsFull } from './connection-limits.js';
import { rejectedCredentials } from './credentials.js';
import { forwardingLoop } from './dns-loop.js';
import { missingEnvReading } from './environment.js';
import { filesystemLimit } from './filesystems.js';
import { heapExhausted } from './heap.js';
import { meshSidecarReading } from './mesh-sidecars.js';
import { nameResolution } from './name-resolution.js';
import { unansweredReading } from './network-policies.js';
import { apiPermission } from './permissions.js';
import type { PlaybookContext } from './playbook.js';
import { type ContainerView, containerSpec, sentence } from './pods.js';
import { portConflict } from './port-conflict.js';
import { processLimit } from './process-limits.js';
import { memoryTypoWords, memoryUnitTypo } from './quantity-typos.js';
import {
  cpuFeatureFailure,
  MISSING_CPU_FEATURE,
  startFailure,
  subPathMountFailure,
  WRONG_ARCH,
} from './start-failures.js';
import { watchLimitReading } from './watch-limits.js';

export interface CrashReadings {
  /** Sentences for the summary, each capitalised and ending in a full stop. */
  sentences: string[];
  evidence: Evidence[];
  /** How the container ended, when the runtime or kernel says better than its exit code. */
  meaning: string | null;
  /** Something no pod replacement changes was found. */
  found: boolean;
}

/** The readings of the crashing container `focus`, from its last termination and its log's telling lines. */
export async function crashReadings(
  ctx: PlaybookContext,
  focus: ContainerView,
  logLines: readonly string[],
  /** The lines are the current log of a container running since this time, not a crashed instance's. */
  runningSince?: string,
): Promise<CrashReadings> {
  const last = focus.status.lastState?.terminated ?? focus.status.state?.terminated;
  const name = focus.status.name;
  const sentences: string[] = [];
  const evidence: Evidence[] = [];
  const conflict = portConflict(focus.pod, name, logLines);
  if (conflict) {
    if (conflict.evidence) evidence.push({ kind: 'spec', text: conflict.evidence });
    sentences.push(`The port is taken: ${conflict.words}.`);
  }
  // Outbound connections that fail because the pod's mesh sidecar does not pass them yet: no dependency to blame.
  const mesh = conflict ? null : await meshSidecarReading(ctx, focus, logLines);
  if (mesh) {
    evidence.push(...mesh.evidence);
    sentences.push(sentence(mesh.words));
  }
  const dropped = conflict || mesh ? null : await unansweredReading(ctx, focus.pod, logLines);
  if (dropped) {
    evidence.push(...dropped.evidence.map((text) => ({ kind: 'spec' as const, text })));
    sentences.push(sentence(dropped.words));
  }
  // A lookup that times out because the pod's own DNS traffic is dropped is the policy, not the cluster DNS.
  const unresolved = conflict || dropped?.blocksDns ? null : await nameResolution(ctx, focus.pod, logLines);
  if (unresolved) {
    evidence.push({ kind: 'spec', text: unresolved.evidence });
    sentences.push(sentence(unresolved.words));
  }
  const loop = forwardingLoop(focus.pod, logLines);
  if (loop) sentences.push(sentence(loop));
  const filesystem = filesystemLimit(focus.pod, name, logLines);
  if (filesystem) sentences.push(sentence(filesystem));
  const refused = apiPermission(focus.pod, logLines);
  if (refused) sentences.push(sentence(refused));
  const credentials = rejectedCredentials(focus.pod, name, logLines, runningSince);
  if (credentials) sentences.push(sentence(credentials));
  const slots = credentials ? null : connectionSlotsFull(logLines);
  if (slots) sentences.push(sentence(slots));
  const certificate = certificateProblem(logLines);
  if (certificate) sentences.push(sentence(certificate));
  const environment = missingEnvReading(focus.pod, name, logLines);
  if (environment) sentences.push(sentence(environment));
  const watches = watchLimitReading(focus.pod, logLines);
  if (watches) sentences.push(sentence(watches));
  const limit = watches ? null : processLimit(focus.pod, name, logLines);
  if (limit) sentences.push(sentence(limit));
  const spec = containerSpec(focus.pod, name);
  const typo = memoryUnitTypo(spec);
  if (typo) sentences.push(sentence(memoryTypoWords(name, typo)));
  const heap = heapExhausted(spec, logLines);
  if (heap) sentences.push(sentence(heap));
  // A running container's log (runningSince) has not ended: no exit to explain.
  const exited = runningSince ? null : cleanExit(focus.pod, spec, last?.exitCode);
  if (exited) sentences.push(sentence(exited));
  const nodeName = focus.pod.spec?.nodeName;
  const node =
    nodeName && [last?.message ?? '', ...logLines].some((l) => WRONG_ARCH.test(l) || MISSING_CPU_FEATURE.test(l))
      ? await ctx.read(ctx.reader.getNode(nodeName), null)
      : null;
  const cpu = cpuFeatureFailure(logLines, nodeName ? { name: nodeName, labels: node?.metadata?.labels ?? {} } : null);
  if (cpu) sentences.push(sentence(cpu));
  const start =
    subPathMountFailure(focus.pod, spec, last?.message) ??
    startFailure(
      last?.reason,
      last?.message,
      logLines,
      focus.spec?.command,
      node?.metadata?.labels?.['kubernetes.io/arch'],
    );
  if (start) sentences.push(sentence(start.advice));
  return { sentences, evidence, meaning: start?.meaning ?? null, found: sentences.length > 0 };
}

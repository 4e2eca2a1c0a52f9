/**
 * A container that crash-loops because the claim it writes is full: its last log says "No space left on device"
 * (ENOSPC, errno 28) on a path of a claim's mount, or without an absolute path (PostgreSQL's "pg_wal/xlogtemp.29",
 * MySQL's "./ibtmp1") while it writes exactly one claim — then less certain, since the line could be about the
 * container's own writable layer. Read from the same previous log the crash-loop playbook reads (one request). An
 * inotify watch limit says ENOSPC too and is no full disk (watch-limits.ts).
 */
import type { PersistentVolumeClaim, Pod } from '../kube/reader.js';
import type { Evidence } from '../types.js';
import { isShmFull, mountOf, pathsIn } from './filesystems.js';
import { tellingLogLines } from './logs.js';
import type { PlaybookContext } from './playbook.js';
import { type ContainerView, capitalized, containersOf, podName, podNamespace } from './pods.js';
import { inotifyLimit } from './watch-limits.js';

const NO_SPACE = /No space left on device|ENOSPC|errno:? 28\b/i;
/** Crash-looping containers whose log is read, at most. */
const MAX_CONTAINERS = 2;

export interface CrashOnFullClaim {
  pvc: PersistentVolumeClaim;
  /** "Container postgres of pod orders-db-…". */
  container: string;
  /** The log line that says the volume is full. */
  line: string;
  evidence: Evidence[];
  /** The line names a path on the claim's mount (else the claim is the only one the container writes). */
  certain: boolean;
}

const isCrashLooping = (v: ContainerView) => {
  const last = v.status.lastState?.terminated;
  return v.status.state?.waiting?.reason === 'CrashLoopBackOff' && !!last && last.reason !== 'OOMKilled';
};

/** The claims a container can write, by the volume name of its mount. */
function writableClaims(v: ContainerView): Map<string, string> {
  const claims = new Map<string, string>();
  for (const mount of v.spec?.volumeMounts ?? []) {
    const volume = v.pod.spec?.volumes?.find((vol) => vol.name === mount.name);
    const claim = volume?.persistentVolumeClaim;
    if (claim && !claim.readOnly && !mount.readOnly) claims.set(mount.name, claim.claimName);
  }
  return claims;
}

/** The claim one log line says is full, and whether the line names a path on it. */
function claimOfLine(pod: Pod, v: ContainerView, line: string, claims: Map<string, string>) {
  for (const path of pathsIn(line)) {
    const on = mountOf(pod, v.spec, path);
    const claim = on && claims.get(on.mount.name);
    if (claim) return { claim, certain: true, path };
    // A path on another filesystem (the root filesystem, /tmp, an emptyDir): not this claim's doing.
    return null;
  }
  const only = [...claims.values()];
  return only.length === 1 && only[0] ? { claim: only[0], certain: false, path: null } : null;
}

/** The first crash-looping container of these pods whose last log says the claim it writes is full. */
export async function crashOnFullClaim(ctx: PlaybookContext, pods: Pod[]): Promise<CrashOnFullClaim | null> {
  const crashing = pods.flatMap((p) => containersOf(p).filter(isCrashLooping));
  let read = 0;
  for (const v of crashing) {
    const claims = writableClaims(v);
    if (claims.size === 0) continue;
    if (read++ >= MAX_CONTAINERS) break;
    const line = (await tellingLogLines(ctx, v, { maxLines: 10 })).find(
      (l) => NO_SPACE.test(l) && !isShmFull(l) && inotifyLimit(l) === null,
    );
    const found = line ? claimOfLine(v.pod, v, line, claims) : null;
    if (!line || !found) continue;
    const pvc = await ctx.read(ctx.reader.getPvc(podNamespace(v.pod), found.claim), null);
    if (!pvc) continue;
    const container = `Container ${v.status.name} of pod ${podName(v.pod)}`;
    const mountPath = v.spec?.volumeMounts?.find((m) => claims.get(m.name) === found.claim)?.mountPath;
    const where = found.certain
      ? `${found.path} is on claim ${found.claim}, mounted at ${mountPath}`
      : `the line names no absolute path; claim ${found.claim} (mounted at ${mountPath}) is the only volume the container writes`;
    return {
      pvc,
      container,
      line,
      certain: found.certain,
      evidence: [
        {
          kind: 'status',
          text: `${container}: CrashLoopBackOff, restart count ${v.status.restartCount}, last exit code ${v.status.lastState?.terminated?.exitCode}`,
        },
        { kind: 'log', text: `Previous ${v.status.name} log: ${line}` },
        { kind: 'spec', text: capitalized(where) },
      ],
    };
  }
  return null;
}

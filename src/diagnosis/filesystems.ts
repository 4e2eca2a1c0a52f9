/**
 * A container that crashes writing where its pod spec does not let it, read from its log and its spec:
 * - /dev/shm full ("No space left on device" on a /dev/shm path, PostgreSQL's "could not resize shared memory
 *   segment"): without an emptyDir of medium Memory mounted there, /dev/shm is the runtime's 64 MiB default, however
 *   much disk or memory the node has;
 * - a path on a volume: a ConfigMap, Secret, projected or downward API volume, or a mount with readOnly: true, is
 *   read-only ("Read-only file system"); a claim's files keep their owner unless the pod sets fsGroup, and a
 *   hostPath or NFS volume keeps it whatever fsGroup says, so a non-root user is refused ("Permission denied",
 *   "Operation not permitted", EACCES);
 * - a read-only root filesystem ("Read-only file system" with securityContext.readOnlyRootFilesystem true): the app
 *   writes outside its volumes; a path of the image refused to the runAsUser the pod sets (the image's files
 *   belong to the user it was built for).
 * All are in the pod spec, so a new pod fails the same way. Pure.
 */
import type { Container, Pod } from '../kube/reader.js';
import { containerSpec } from './pods.js';

const SHM_FULL = [
  /No space left on device.*\/dev\/shm|\/dev\/shm.*No space left on device/i,
  /could not resize shared memory segment/i,
];
const READ_ONLY = /Read-only file system|EROFS/;
const DENIED = /permission denied|operation not permitted|EACCES|EPERM|AccessDeniedException/i;
/** An absolute path in a log line (quoted or not), at least one segment long. */
const PATH = /(?<![\w.])\/(?:[\w.@+-]+\/?)+/g;
/** Volume sources the kubelet always mounts read-only. */
const ALWAYS_READ_ONLY = [
  ['configMap', 'ConfigMap'],
  ['secret', 'Secret'],
  ['projected', 'projected'],
  ['downwardAPI', 'downward API'],
] as const;

type Volume = NonNullable<NonNullable<Pod['spec']>['volumes']>[number];
type Mount = NonNullable<Container['volumeMounts']>[number];

/** A log line saying /dev/shm is full (PostgreSQL names its segment, not the mount). */
export const isShmFull = (line: string) => SHM_FULL.some((re) => re.test(line));

/** The absolute paths a log line names. */
export function pathsIn(line: string): string[] {
  return [...line.matchAll(PATH)].map(([path]) => path);
}

/** The mount a path lies on (the longest mount path that holds it) and its volume. */
export function mountOf(
  pod: Pod,
  container: Container | undefined,
  path: string,
): { mount: Mount; volume: Volume } | null {
  let best: Mount | undefined;
  for (const m of container?.volumeMounts ?? []) {
    const root = m.mountPath.replace(/\/+$/, '');
    const holds = path === root || path.startsWith(`${root}/`) || root === '';
    if (holds && (!best || root.length > best.mountPath.replace(/\/+$/, '').length)) best = m;
  }
  const volume = best && pod.spec?.volumes?.find((v) => v.name === best.name);
  return best && volume ? { mount: best, volume } : null;
}

function volumeWords(volume: Volume): string {
  if (volume.persistentVolumeClaim) return `volume ${volume.name} (claim ${volume.persistentVolumeClaim.claimName})`;
  if (volume.hostPath) return `volume ${volume.name} (hostPath ${volume.hostPath.path})`;
  if (volume.nfs) return `volume ${volume.name} (NFS ${volume.nfs.server}:${volume.nfs.path})`;
  return `volume ${volume.name}`;
}

/** The user the container runs as, as the pod spec says it (the image's own user when it says nothing). */
function runAs(pod: Pod, container: Container | undefined): { uid: number | undefined; nonRoot: boolean } {
  const uid = container?.securityContext?.runAsUser ?? pod.spec?.securityContext?.runAsUser;
  const nonRoot = !!(container?.securityContext?.runAsNonRoot ?? pod.spec?.securityContext?.runAsNonRoot);
  return { uid, nonRoot: nonRoot || (uid !== undefined && uid !== 0) };
}

/** Why a path on a volume is refused to the container, from the volume's kind, the mount and the pod's users. */
function volumeRefusal(pod: Pod, container: Container | undefined, line: string, path: string): string | null {
  const on = mountOf(pod, container, path);
  if (!on) return null;
  const { mount, volume } = on;
  const where = `${path} is on ${volumeWords(volume)}, mounted at ${mount.mountPath}`;
  const quoted = READ_ONLY.test(line) ? 'Read-only file system' : (DENIED.exec(line)?.[0] ?? 'Permission denied');
  const source = ALWAYS_READ_ONLY.find(([key]) => volume[key]);
  // A read-only mount refuses writes with EROFS; "permission denied" there is a file's mode (a token, a script).
  if ((source || mount.readOnly || volume.persistentVolumeClaim?.readOnly) && !READ_ONLY.test(line)) return null;
  if (source)
    return `${where}: a ${source[1]} volume, which the kubelet always mounts read-only, and the app (or its entrypoint) writes there ("${quoted}"). Have an init container copy the files into an emptyDir and mount that instead, or point the app's writes elsewhere`;
  if (mount.readOnly || volume.persistentVolumeClaim?.readOnly)
    return `${where} with readOnly: true, and the app writes there ("${quoted}"). Mount it read-write if the app must write, or point its writes elsewhere`;
  if (!DENIED.test(line) || volume.emptyDir) return null;
  const { uid, nonRoot } = runAs(pod, container);
  const user = uid !== undefined ? `user ${uid} (runAsUser)` : 'a non-root user (runAsNonRoot)';
  const fsGroup = pod.spec?.securityContext?.fsGroup;
  if (volume.hostPath || volume.nfs) {
    const kind = volume.hostPath ? "the node directory's" : "the export's";
    return `${where}, refused to the container ("${quoted}"): a ${volume.hostPath ? 'hostPath' : 'NFS'} volume keeps ${kind} owner and permissions, and fsGroup never changes them${uid !== undefined ? `; the container runs as ${user}` : ''}. Give that user the directory on the ${volume.hostPath ? 'node' : 'server'}, or run the container as its owner`;
  }
  if (!nonRoot) return null;
  if (fsGroup === undefined)
    return `${where}, refused to the container ("${quoted}"): it runs as ${user} and the pod sets no securityContext.fsGroup, so the volume's files keep their owner (usually root). Set spec.securityContext.fsGroup${uid !== undefined ? ` (e.g. ${uid})` : ''} so the kubelet gives the volume to that group, or chown it once from an init container`;
  return `${where}, refused to the container ("${quoted}") although the pod sets fsGroup ${fsGroup}: files already on the volume belong to another owner and the kubelet did not change them (fsGroupChangePolicy OnRootMismatch skips a volume whose root already matches; some storage drivers ignore fsGroup). Check the owner of ${path} on the volume`;
}

/** A path of the image itself refused to the runAsUser the pod sets: the image's files belong to its own user. */
function imagePathRefusal(pod: Pod, container: Container | undefined, line: string, path: string): string | null {
  if (!DENIED.test(line) || mountOf(pod, container, path)) return null;
  const uid = container?.securityContext?.runAsUser ?? pod.spec?.securityContext?.runAsUser;
  if (uid === undefined || uid === 0 || /^\/(?:proc|sys|dev)\b/.test(path)) return null;
  return `${path} is in the image's own filesystem, not on a volume, and is refused to user ${uid}, the runAsUser the pod sets ("${DENIED.exec(line)?.[0]}"): the image's files belong to the user it was built for. Run the container as that user, or mount an emptyDir at the directory the app writes`;
}

/** The first refused path of the log, read against the container's volumes and users. */
function refusedPath(pod: Pod, container: Container | undefined, logLines: readonly string[]): string | null {
  for (const line of logLines) {
    if (!READ_ONLY.test(line) && !DENIED.test(line)) continue;
    for (const path of pathsIn(line)) {
      if (path.startsWith('/dev/shm')) continue;
      const reading = volumeRefusal(pod, container, line, path) ?? imagePathRefusal(pod, container, line, path);
      if (reading) return reading;
    }
  }
  return null;
}

/** What in the pod spec keeps the container from writing, and what to change; null when the log shows neither. */
export function filesystemLimit(pod: Pod, container: string, logLines: readonly string[]): string | null {
  const spec = containerSpec(pod, container);
  if (logLines.some(isShmFull)) {
    const shm = mountOf(pod, spec, '/dev/shm');
    const volume = shm?.mount.mountPath.replace(/\/+$/, '') === '/dev/shm' ? shm.volume : undefined;
    if (volume?.emptyDir?.medium === 'Memory') {
      return `/dev/shm is full: it is emptyDir ${volume.name} (medium Memory${volume.emptyDir.sizeLimit ? `, sizeLimit ${volume.emptyDir.sizeLimit}` : ', no sizeLimit: bounded by the container memory limit'}), and the app needs more shared memory than that. Raise its sizeLimit (its use counts against the container's memory limit)`;
    }
    return `/dev/shm is full: no emptyDir of medium Memory is mounted at /dev/shm, so it is the container runtime's default of 64 MiB, however much memory the node has. Mount an emptyDir with medium: Memory at /dev/shm, with a sizeLimit the app needs (it counts against the container's memory limit)`;
  }
  const refused = refusedPath(pod, spec, logLines);
  if (refused) return refused;
  if (spec?.securityContext?.readOnlyRootFilesystem && logLines.some((l) => READ_ONLY.test(l))) {
    return `container ${container} runs with securityContext.readOnlyRootFilesystem: true, and the app writes outside its volumes ("Read-only file system"). Mount an emptyDir at the path it writes (often /tmp or a cache directory), or let the app write elsewhere`;
  }
  return null;
}

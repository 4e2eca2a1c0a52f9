/**
 * A container that crashes writing where its pod spec does not let it, read from its log and its spec:
 * - /dev/shm full ("No space left on device" on a /dev/shm path, PostgreSQL's "could not resize shared memory
 *   segment"): without an emptyDir of medium Memory mounted there, /dev/shm is the runtime's 64 MiB default, however
 *   much disk or memory the node has;
 * - a read-only root filesystem ("Read-only file system" with securityContext.readOnlyRootFilesystem true): the app
 *   writes outside its volumes.
 * Both are in the pod spec, so a new pod fails the same way. Pure.
 */
import type { Container, Pod } from '../kube/reader.js';
import { containerSpec } from './pods.js';

const SHM_FULL = [
  /No space left on device.*\/dev\/shm|\/dev\/shm.*No space left on device/i,
  /could not resize shared memory segment/i,
];
const READ_ONLY = /Read-only file system|EROFS/;

function mountAt(pod: Pod, container: Container | undefined, path: string) {
  const mount = container?.volumeMounts?.find((m) => m.mountPath === path || m.mountPath === `${path}/`);
  return mount ? pod.spec?.volumes?.find((v) => v.name === mount.name) : undefined;
}

/** What in the pod spec keeps the container from writing, and what to change; null when the log shows neither. */
export function filesystemLimit(pod: Pod, container: string, logLines: readonly string[]): string | null {
  const spec = containerSpec(pod, container);
  if (logLines.some((l) => SHM_FULL.some((re) => re.test(l)))) {
    const volume = mountAt(pod, spec, '/dev/shm');
    if (volume?.emptyDir?.medium === 'Memory') {
      return `/dev/shm is full: it is emptyDir ${volume.name} (medium Memory${volume.emptyDir.sizeLimit ? `, sizeLimit ${volume.emptyDir.sizeLimit}` : ', no sizeLimit: bounded by the container memory limit'}), and the app needs more shared memory than that. Raise its sizeLimit (its use counts against the container's memory limit)`;
    }
    return `/dev/shm is full: no emptyDir of medium Memory is mounted at /dev/shm, so it is the container runtime's default of 64 MiB, however much memory the node has. Mount an emptyDir with medium: Memory at /dev/shm, with a sizeLimit the app needs (it counts against the container's memory limit)`;
  }
  if (spec?.securityContext?.readOnlyRootFilesystem && logLines.some((l) => READ_ONLY.test(l))) {
    return `container ${container} runs with securityContext.readOnlyRootFilesystem: true, and the app writes outside its volumes ("Read-only file system"). Mount an emptyDir at the path it writes (often /tmp or a cache directory), or let the app write elsewhere`;
  }
  return null;
}

/**
 * A container that runs out of inotify watches or instances, the kernel's file-watching handles: its log says so in
 * its runtime's words — Node's "ENOSPC: System limit for number of file watchers reached", Java's "User limit of
 * inotify watches reached" / "User limit of inotify instances reached or too many open files", .NET's "The
 * configured user limit (128) on the number of inotify instances has been reached", Python watchdog's "inotify
 * watch limit reached", Go fsnotify's "failed to create fsnotify watcher: too many open files", inotify_add_watch's
 * "No space left on device", tail's "inotify resources exhausted". The words look like a full disk (ENOSPC) or the
 * open-file limit (EMFILE), and they are neither: the limits are the node's fs.inotify.max_user_watches and
 * max_user_instances sysctls, which the kernel counts per user ID across every container of the node, so pods that
 * have nothing to do with the app use them up too; no pod spec can raise them. Pure.
 */
import type { Pod } from '../kube/reader.js';

const WATCHES =
  /System limit for number of file watchers reached|User limit of inotify watches reached|inotify watch limit reached|inotify_add_watch[^\n]*(?:No space left on device|ENOSPC)|(?:fsnotify|add watch|cannot watch)[^\n]*no space left on device/i;
const INSTANCES =
  /User limit of inotify instances reached|number of inotify instances has been reached|inotify resources exhausted|inotify_init1?[^\n]*(?:too many open files|EMFILE)|(?:fsnotify )?watcher[^\n]*too many open files|inotify cannot be used[^\n]*too many open files/i;

export type InotifyLimit = 'watches' | 'instances';

/** Which inotify limit a log line says was reached; null for any other line (a full disk is no inotify limit). */
export function inotifyLimit(line: string): InotifyLimit | null {
  if (WATCHES.test(line)) return 'watches';
  if (INSTANCES.test(line)) return 'instances';
  return null;
}

/** The reading when the log says an inotify limit was reached: which sysctl, on which node, and what it is not. */
export function watchLimitReading(pod: Pod, logLines: readonly string[]): string | null {
  const line = logLines.find((l) => inotifyLimit(l) !== null);
  const limit = line ? inotifyLimit(line) : null;
  if (!line || !limit) return null;
  const node = pod.spec?.nodeName ? `node ${pod.spec.nodeName}` : 'its node';
  const not =
    limit === 'watches'
      ? 'not a full disk, whatever "no space left" says'
      : 'not the open-file limit the message may also name';
  return `the app ran out of inotify ${limit}, the kernel's file-watching handles (${not}): the limit is fs.inotify.max_user_${limit} on ${node} (often ${limit === 'watches' ? '8192' : '128'} by default), which the kernel counts per user ID across every container on the node, so other pods there use it up too. No pod spec can raise it (the sysctl is not namespaced): raise it on the nodes (their configuration, or a privileged DaemonSet that sets it), or make the app watch fewer files (polling, no reload-on-change of its configuration). A replacement pod on a node as full fails the same way`;
}

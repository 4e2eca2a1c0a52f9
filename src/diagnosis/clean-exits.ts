/**
 * A container that keeps exiting with code 0 under restartPolicy Always (a Deployment's, StatefulSet's or
 * DaemonSet's pod): the kubelet restarts every exit, a successful one too, and backs off as for a crash. Either the
 * command backgrounds the real process and the shell that started it ends (`… &`, `service … start`), or
 * the command is a task that finishes, which belongs in a Job. Pure.
 */
import type { Container, Pod } from '../kube/reader.js';
import { commandLine } from './pods.js';

/** A shell script whose last command runs in the background, or a service manager starting a daemon. */
const BACKGROUNDED = /[^&]&\s*$|\bservice\s+\S+\s+start\b|\bsystemctl\s+start\b/;

/** Why a container that exited with 0 is restarted, and what to change; null for any other exit or restart policy. */
export function cleanExit(pod: Pod, container: Container | undefined, exitCode: number | undefined): string | null {
  if (exitCode !== 0 || (pod.spec?.restartPolicy ?? 'Always') !== 'Always') return null;
  const name = `container ${container?.name ?? '?'}`;
  const command = commandLine(container);
  const restarts = 'restartPolicy Always restarts every exit, a successful one too, with the same back-off as a crash';
  // Only a trailing `&` leaves nothing in the foreground (`… & wait` keeps the shell there; `&&` chains).
  if (BACKGROUNDED.test(command)) {
    return `${name} exits with code 0 because its command starts the process in the background and then ends (${JSON.stringify(command.slice(0, 160))}): ${restarts}. Run the process in the foreground as the container's main process (exec it, or its own "no daemon" flag)`;
  }
  const what = command ? `its command (${JSON.stringify(command.slice(0, 160))})` : "its image's command";
  return `${name} exits with code 0: ${what} finishes and the pod's ${restarts}. A task that is meant to finish belongs in a Job; a server must keep its main process in the foreground`;
}

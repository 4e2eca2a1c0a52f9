/**
 * A container that runs out of a per-process or per-pod resource the pod spec or its command sets, read from its log:
 * - file descriptors ("too many open files", EMFILE): a `ulimit -n` in its command lowers the limit; otherwise the
 *   container runtime's limit (the pod spec cannot set it) against a descriptor leak or a flood of connections;
 * - local ports for outgoing connections ("connect: cannot assign requested address", EADDRNOTAVAIL): the pod's
 *   net.ipv4.ip_local_port_range sysctl, or connections opened and closed faster than TIME_WAIT frees ports;
 * - "bind: cannot assign requested address": the app listens on an address the pod does not have;
 * - threads or processes ("unable to create native thread", Go's "failed to create new OS thread", Python's "can't
 *   start new thread", a shell's "fork: Resource temporarily unavailable"): the pod's PID limit (the kubelet's
 *   podPidsLimit counts every thread of every container in the pod) or the node's, against a thread leak.
 * A new pod fails the same way. Pure.
 */
import type { Pod } from '../kube/reader.js';
import { commandLine, containerSpec } from './pods.js';

const EMFILE = /too many open files|EMFILE/i;
const NO_LOCAL_ADDRESS = /cannot assign requested address|EADDRNOTAVAIL/i;
const BIND = /\b(?:bind|listen)\b/i;
const NO_THREADS =
  /unable to create (?:new )?native thread|failed to create new OS thread|can't start new thread|pthread_create failed|fork: (?:retry: )?Resource temporarily unavailable/i;
const ULIMIT = /ulimit\s+(?:-\w*n\w*\s+|--nofile[= ])(\d+)/;
const PORT_RANGE = 'net.ipv4.ip_local_port_range';
/** Fewer local ports than this is a range set far below the kernel's default (32768–60999: 28,232 ports). */
const NARROW_PORTS = 1000;

/** The pod's local port range sysctl with its size, when it is set. */
function localPortRange(pod: Pod): { value: string; ports: number } | null {
  const value = pod.spec?.securityContext?.sysctls?.find((s) => s.name === PORT_RANGE)?.value;
  const [low, high] = (value ?? '').trim().split(/\s+/).map(Number);
  if (!value || low === undefined || high === undefined || !Number.isFinite(low) || !Number.isFinite(high)) return null;
  return { value, ports: Math.max(0, high - low + 1) };
}

/** The narrow local port range a pod sets, as a sentence; null when it sets none or a wide one. */
export function narrowPortRange(pod: Pod): string | null {
  const range = localPortRange(pod);
  if (!range || range.ports >= NARROW_PORTS) return null;
  return `pod ${pod.metadata?.name} sets sysctl ${PORT_RANGE} to "${range.value}": ${range.ports} local port(s) for all its outgoing connections (the kernel's default gives 28,232), so new connections fail with "cannot assign requested address" once they are taken. Remove the sysctl from the pod's securityContext or widen the range`;
}

/** What limit the container hit and where it is set; null when the log shows none. */
export function processLimit(pod: Pod, container: string, logLines: readonly string[]): string | null {
  const spec = containerSpec(pod, container);
  if (logLines.some((l) => EMFILE.test(l))) {
    const ulimit = ULIMIT.exec(commandLine(spec));
    if (ulimit)
      return `the process ran out of file descriptors ("too many open files"), and container ${container}'s command sets their limit to ${ulimit[1]} (ulimit -n ${ulimit[1]}): raise it or drop it from the command`;
    return `the process ran out of file descriptors ("too many open files"): a descriptor leak, or more connections or files than the container runtime's open-file limit allows (the pod spec cannot set it; the runtime's LimitNOFILE on the nodes does)`;
  }
  const threads = logLines.find((l) => NO_THREADS.test(l));
  if (threads) {
    return `the process could not start another thread or process ("${NO_THREADS.exec(threads)?.[0]}"): the pod reached its PID limit (the kubelet's podPidsLimit counts every thread of every container of the pod) or its node ran out of PIDs (PIDPressure). A thread leak, or pools sized for a larger machine: compare the thread count (/sys/fs/cgroup/pids.current in the container) with pids.max; more memory does not help`;
  }
  const line = logLines.find((l) => NO_LOCAL_ADDRESS.test(l));
  if (!line) return null;
  if (BIND.test(line) && !/\b(?:dial|connect)\b/i.test(line))
    return `the app listens on an address pod ${pod.metadata?.name} does not have ("bind: cannot assign requested address"): a fixed IP in its configuration; listen on 0.0.0.0 (or the pod IP from the downward API)`;
  return (
    narrowPortRange(pod) ??
    `the pod ran out of local ports for outgoing connections ("cannot assign requested address"): connections are opened and closed faster than TIME_WAIT frees their ports. Reuse connections (keep-alive, a pool)`
  );
}

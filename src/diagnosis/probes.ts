/**
 * Probes as people read them, and the kubelet's probe events. Texts are the kubelet's (pkg/kubelet/prober):
 * Unhealthy "Liveness probe failed: Get "http://10.1.2.3:8080/healthz": context deadline exceeded (Client.Timeout
 * exceeded while awaiting headers)", "Readiness probe failed: HTTP probe failed with statuscode: 500"; Killing
 * "Container app failed liveness probe, will be restarted" (and "failed startup probe").
 */
import type { Container, KubeEvent } from '../kube/reader.js';
import { NO_SUCH_PROGRAM, NOT_ON_PATH } from './start-failures.js';

export type ProbeType = 'liveness' | 'readiness' | 'startup';
export type Probe = NonNullable<Container['livenessProbe']>;

/** The API server's defaults, which a pod spec read back always has but a hand-written snapshot may omit. */
export function probeTimings(probe: Probe) {
  return {
    initialDelaySeconds: probe.initialDelaySeconds ?? 0,
    periodSeconds: probe.periodSeconds ?? 10,
    timeoutSeconds: probe.timeoutSeconds ?? 1,
    failureThreshold: probe.failureThreshold ?? 3,
  };
}

export function probeOf(container: Container | undefined, type: ProbeType): Probe | undefined {
  if (!container) return undefined;
  return type === 'liveness'
    ? container.livenessProbe
    : type === 'readiness'
      ? container.readinessProbe
      : container.startupProbe;
}

/** "HTTP GET :8080/healthz, timeoutSeconds 1, periodSeconds 10, failureThreshold 3, initialDelaySeconds 10". */
export function describeProbe(probe: Probe): string {
  const t = probeTimings(probe);
  const timings = `timeoutSeconds ${t.timeoutSeconds}, periodSeconds ${t.periodSeconds}, failureThreshold ${t.failureThreshold}, initialDelaySeconds ${t.initialDelaySeconds}`;
  return `${probeAction(probe)}, ${timings}`;
}

/** What the probe does: "HTTP GET :8080/healthz", "exec [...]". */
export function probeAction(probe: Probe): string {
  if (probe.httpGet) {
    const scheme = probe.httpGet.scheme === 'HTTPS' ? 'HTTPS ' : 'HTTP ';
    return `${scheme}GET ${probe.httpGet.host ?? ''}:${probe.httpGet.port}${probe.httpGet.path ?? '/'}`;
  }
  if (probe.tcpSocket) return `TCP connect to port ${probe.tcpSocket.port}`;
  if (probe.grpc)
    return `gRPC health check on port ${probe.grpc.port}${probe.grpc.service ? ` (${probe.grpc.service})` : ''}`;
  if (probe.exec) return `exec ${JSON.stringify(probe.exec.command ?? [])}`;
  return 'no handler';
}

/** Seconds a fresh container gets before its first liveness kill: the initial delay plus the failures allowed. */
export function secondsBeforeKill(probe: Probe): number {
  const t = probeTimings(probe);
  return t.initialDelaySeconds + t.periodSeconds * t.failureThreshold;
}

/**
 * The program an exec probe names that the container does not have, from the runtime's answer (runc: `exec: "curl":
 * executable file not found in $PATH`, or `stat /bin/check: no such file or directory` for a path), or null.
 */
export function missingProbeCommand(message: string): string | null {
  return (NOT_ON_PATH.exec(message) ?? NO_SUCH_PROGRAM.exec(message))?.[1] ?? null;
}

/** What a probe failure message says, in words. */
export function failureMeaning(message: string, probe: Probe | undefined): string {
  const missing = missingProbeCommand(message);
  if (missing) return `its command cannot start: ${missing} is not in the image`;
  const timeout = probe ? probeTimings(probe).timeoutSeconds : undefined;
  if (/deadline exceeded|timeout|timed out/i.test(message))
    return `the probe times out${timeout !== undefined ? ` (timeoutSeconds ${timeout})` : ''}: the endpoint answers too slowly`;
  if (/connection refused/i.test(message)) return 'the connection is refused: nothing listens on the port (yet)';
  const status = /statuscode: (\d+)/.exec(message);
  if (status) return `the endpoint answers HTTP ${status[1]}`;
  return 'the probe fails';
}

/** Unhealthy events of one probe type for a container (by the event's fieldPath when it has one). */
export function unhealthyEvents(events: KubeEvent[], type: ProbeType, container: string): KubeEvent[] {
  const prefix = `${type[0]?.toUpperCase()}${type.slice(1)} probe failed`;
  return events.filter(
    (e) => e.reason === 'Unhealthy' && (e.message ?? '').startsWith(prefix) && forContainer(e, container),
  );
}

/** The kubelet's Killing events that restart a container after a failed liveness or startup probe. */
export function probeKills(events: KubeEvent[], container: string): KubeEvent[] {
  return events.filter(
    (e) =>
      e.reason === 'Killing' &&
      /failed (liveness|startup) probe, will be restarted/.test(e.message ?? '') &&
      (e.message ?? '').startsWith(`Container ${container} `),
  );
}

function forContainer(event: KubeEvent, container: string): boolean {
  const path = event.involvedObject?.fieldPath;
  return !path || path.includes(`{${container}}`);
}

/**
 * A probe aimed where the app does not answer: an exec probe whose program is not in the image, a port the container
 * does not declare (when it declares any) that refuses connections, or an HTTP path the app answers 404 to. A sentence
 * naming what to point it at, or null.
 */
export function misaimedProbe(probe: Probe, container: Container | undefined, message: string): string | null {
  const missing = probe.exec ? missingProbeCommand(message) : null;
  if (missing) {
    const port = container?.ports?.[0]?.containerPort;
    return `A slimmer or distroless base image drops shells and tools like curl: the probe fails however healthy the app is, and waiting or loosening timeoutSeconds/failureThreshold changes nothing. Probe with httpGet${port ? ` on port ${port}` : ''}, tcpSocket or grpc instead, or with a command the image has`;
  }
  const handler = probe.httpGet ?? probe.tcpSocket ?? probe.grpc;
  const declared = (container?.ports ?? []).map((p) => ({ port: p.containerPort, name: p.name }));
  const port = handler?.port;
  if (port !== undefined && declared.length > 0 && /connection refused/i.test(message)) {
    const known = declared.some((d) => d.port === port || (d.name !== undefined && d.name === port));
    if (!known) {
      const list = declared.map((d) => (d.name ? `${d.port} (${d.name})` : `${d.port}`)).join(', ');
      return `The probe checks port ${port}, which container ${container?.name} does not declare (it declares ${list}), and nothing answers there: point the probe at the port the app serves`;
    }
  }
  if (probe.httpGet && /statuscode: 404\b/.test(message)) {
    return `The app answers 404 to ${probe.httpGet.path ?? '/'}: it has no such endpoint, so the probe's path is likely wrong; point it at the app's health endpoint`;
  }
  return null;
}

/**
 * A liveness endpoint that answers 5xx: the process is alive and reports itself unhealthy, most often because the
 * endpoint checks a dependency; restarting every replica for it fixes nothing and can take the service down.
 */
export function answeredUnhealthy(message: string | undefined, pods: number): string | null {
  const status = /statuscode: (5\d\d)/.exec(message ?? '')?.[1];
  if (!status) return null;
  const who = pods > 1 ? `all ${pods} pods` : 'the pod';
  return ` The app answers the probe with HTTP ${status}: the process is alive and reports itself unhealthy. A liveness endpoint that checks dependencies (a database, another service) makes the kubelet restart ${who} whenever one fails, and the restarts fix nothing: let the liveness probe check the process only, move dependency checks to the readiness probe, and fix what the endpoint reports.`;
}

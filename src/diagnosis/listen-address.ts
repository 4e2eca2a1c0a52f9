/**
 * An app that listens on the loopback address only ("Uvicorn running on http://127.0.0.1:8000", Flask's "Running on
 * http://127.0.0.1:5000", gunicorn's "Listening at: http://127.0.0.1:8000", puma's "Listening on
 * http://127.0.0.1:3000"): the kubelet probes the pod's IP, so its connection is refused whatever the probe's
 * timings, and a Service cannot reach the app either. Only an explicit 127.0.0.1 or [::1] counts ("localhost" is
 * what many apps print while they listen on every address), and only on the port the probe checks. Pure.
 */
import type { Container } from '../kube/reader.js';
import { portNumber } from './pods.js';
import type { Probe } from './probes.js';

const LOOPBACK_LISTEN =
  /\b(?:listen\w*|running|serving|started|bound|binding|bind)\b[^\n]*?(?:127\.0\.0\.1|\[::1\]|\blocalhost\/127\.0\.0\.1)(?::(\d+))\b/i;

/** The port number a probe connects to: a number, or the container port its name stands for. */
export function probePort(probe: Probe | undefined, container: Container | undefined): number | null {
  return portNumber((probe?.httpGet ?? probe?.tcpSocket ?? probe?.grpc)?.port, container ? [container] : []);
}

/** The log line saying the app listens on loopback only at `port`, if any. */
export function loopbackListenLine(lines: readonly string[], port: number | null): string | null {
  if (port === null) return null;
  return lines.find((l) => Number(LOOPBACK_LISTEN.exec(l)?.[1]) === port) ?? null;
}

/** The reading for a probe refused because the app listens on loopback only. */
export function loopbackWords(container: string, line: string, port: number): string {
  return `container ${container} listens on the loopback address only (its log: "${line.trim().slice(0, 160)}"), and the kubelet probes the pod's IP: the connection to port ${port} is refused however long the probe waits, and no Service can reach the app either. Make it listen on every address (0.0.0.0, e.g. --host 0.0.0.0 or --bind 0.0.0.0:${port})`;
}

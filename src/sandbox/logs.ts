/** The pod `log` subresource, served from `sandbox.medic.dev/v1 PodLogs` items, with the API server's 400s. */
import type { KubeObject } from './object.js';
import { badRequest } from './status.js';
import type { SandboxStore } from './store.js';

interface ContainerStatus {
  name: string;
  restartCount?: number;
  state?: { waiting?: { reason?: string } };
  lastState?: { terminated?: unknown };
}
interface PodShape {
  spec?: { containers?: { name: string }[]; initContainers?: { name: string }[] };
  status?: { containerStatuses?: ContainerStatus[]; initContainerStatuses?: ContainerStatus[] };
}
interface PodLogs {
  containers?: Record<string, string>;
  previous?: Record<string, string>;
}

const NOT_STARTED = new Set(['ContainerCreating', 'PodInitializing', 'ErrImagePull', 'ImagePullBackOff']);

function chooseContainer(pod: KubeObject & PodShape, requested: string | null): string {
  const name = pod.metadata.name;
  const containers = (pod.spec?.containers ?? []).map((c) => c.name);
  const inits = (pod.spec?.initContainers ?? []).map((c) => c.name);
  if (!requested) {
    if (containers.length === 1 && containers[0]) return containers[0];
    const initHint = inits.length ? ` or one of the init containers: [${inits.join(' ')}]` : '';
    throw badRequest(
      `a container name must be specified for pod ${name}, choose one of: [${containers.join(' ')}]${initHint}`,
    );
  }
  if (!containers.includes(requested) && !inits.includes(requested)) {
    throw badRequest(`container ${requested} is not valid for pod ${name}`);
  }
  return requested;
}

function applyLimits(text: string, query: URLSearchParams): string {
  let out = text;
  const tail = query.get('tailLines');
  if (tail !== null) {
    const n = Number(tail);
    if (!Number.isInteger(n) || n < 0) throw badRequest(`tailLines: Invalid value: ${tail}: must be >= 0`);
    const lines = out.split('\n');
    const trailing = lines.at(-1) === '' ? lines.pop() : undefined;
    out = (n === 0 ? [] : lines.slice(-n)).join('\n') + (trailing !== undefined && n > 0 ? '\n' : '');
  }
  const limitBytes = query.get('limitBytes');
  if (limitBytes !== null) out = Buffer.from(out).subarray(0, Number(limitBytes)).toString();
  return out;
}

/** The text of a container's current or previous log, as `kubectl logs [-p] [-c] [--tail]` gets it. */
export function podLog(store: SandboxStore, pod: KubeObject, query: URLSearchParams): string {
  const shaped = pod as KubeObject & PodShape;
  const container = chooseContainer(shaped, query.get('container'));
  const logs = store.get('sandbox.medic.dev/v1', 'PodLogs', pod.metadata.namespace, pod.metadata.name) as
    | (KubeObject & PodLogs)
    | undefined;
  const statuses = [...(shaped.status?.containerStatuses ?? []), ...(shaped.status?.initContainerStatuses ?? [])];
  const status = statuses.find((s) => s.name === container);
  const name = pod.metadata.name;
  if (query.get('previous') === 'true') {
    const text = logs?.previous?.[container];
    if (text === undefined && !status?.lastState?.terminated) {
      throw badRequest(`previous terminated container "${container}" in pod "${name}" not found`);
    }
    return applyLimits(text ?? '', query);
  }
  const text = logs?.containers?.[container];
  const waiting = status?.state?.waiting?.reason;
  if (text === undefined && waiting && NOT_STARTED.has(waiting) && !status?.restartCount) {
    throw badRequest(`container "${container}" in pod "${name}" is waiting to start: ${waiting}`);
  }
  return applyLimits(text ?? '', query);
}

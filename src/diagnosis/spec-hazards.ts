/**
 * UNKNOWN's finding in a pod spec that runs and stays Ready while it misbehaves: an env variable defined twice in one
 * container (the last definition silently wins: environment.ts) or a local port range narrowed to a handful of
 * ports (process-limits.ts). Read on the target's first pod, never on a node's pods (they belong to many workloads).
 */
import type { Pod } from '../kube/reader.js';
import type { Evidence } from '../types.js';
import { duplicateEnv } from './environment.js';
import { narrowPortRange } from './process-limits.js';

export async function specHazardFinding(
  _ctx: unknown,
  target: { kind: string; pods: Pod[]; description: string },
  evidence: Evidence[],
): Promise<string | null> {
  const pod = target.pods[0];
  if (!pod || target.kind === 'Node') return null;
  const found = [
    ...[...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].flatMap(duplicateEnv),
    ...[narrowPortRange(pod)].filter((x): x is string => x !== null),
  ];
  if (found.length === 0) return null;
  for (const text of found) evidence.push({ kind: 'spec', text: `${text.charAt(0).toUpperCase()}${text.slice(1)}` });
  return `${target.description}: ${found.join('; ')}. Its pods run and stay Ready, so nothing else shows it; Medic proposes nothing.`;
}

/**
 * `medic demo --clusters N`: the demo's cluster as N sandbox clusters (prod, staging, …) that one Medic serves,
 * as medic.yaml `clusters` and a kubeconfig with a context per cluster describe them — the path a real
 * installation takes. Each cluster gets the built-in alerts with its `cluster` label, so the console shows the
 * threads of both.
 */
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const DEMO_CLUSTER_NAMES = ['prod', 'staging', 'dev'] as const;
export const MAX_DEMO_CLUSTERS = DEMO_CLUSTER_NAMES.length;

export interface DemoClusterFiles {
  kubeconfig: string;
  settings: string;
}

/**
 * A kubeconfig with one context per cluster, and the demo's medic.yaml (`baseSettings`) listing them, written to
 * `dir`. (This module imports nothing heavy: `medic demo --help` reads its names.)
 */
export async function writeDemoClusterFiles(
  dir: string,
  clusters: { name: string; url: string }[],
  baseSettings: string,
): Promise<DemoClusterFiles> {
  const kubeconfig = join(dir, 'kubeconfig');
  await writeFile(
    kubeconfig,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: clusters.map((c) => ({ name: c.name, cluster: { server: c.url } })),
      users: [{ name: 'demo', user: {} }],
      contexts: clusters.map((c) => ({ name: c.name, context: { cluster: c.name, user: 'demo' } })),
      'current-context': clusters[0]?.name ?? '',
    }),
  );
  const settings = join(dir, 'medic.yaml');
  const base = await readFile(baseSettings, 'utf8');
  const list = clusters.map((c) => `  - {name: ${c.name}, context: ${c.name}}`).join('\n');
  await writeFile(settings, `${base}\n# medic demo --clusters ${clusters.length}\nclusters:\n${list}\n`);
  return { kubeconfig, settings };
}

/** A webhook payload's alerts as they would come from `cluster`: its label on every alert and in the group. */
export function payloadForCluster(body: Record<string, unknown>, cluster: string): Record<string, unknown> {
  const alerts = Array.isArray(body.alerts) ? (body.alerts as Record<string, unknown>[]) : [];
  const common = (body.commonLabels ?? {}) as Record<string, string>;
  const group = (body.groupLabels ?? {}) as Record<string, string>;
  return {
    ...body,
    groupKey: `${String(body.groupKey)}:{cluster="${cluster}"}`,
    groupLabels: { ...group, cluster },
    commonLabels: { ...common, cluster },
    alerts: alerts.map((a) => ({
      ...a,
      labels: { ...(a.labels as Record<string, string>), cluster },
      // Alertmanager's fingerprint is a hash of the labels: another label set is another alert.
      fingerprint: createHash('sha256')
        .update(`${String(a.fingerprint)}\n${cluster}`)
        .digest('hex')
        .slice(0, 16),
    })),
  };
}

/**
 * Connecting the clusters medic.yaml lists (each through its own kubeconfig context, file or in-cluster account,
 * each request counted with its name) and /readyz's check of them. A kubeconfig Medic cannot use stops start-up
 * before any connection is opened.
 */
import type { Config } from '../config/load.js';
import type { ClusterSetting } from '../config/settings.js';
import { errorMessage, MedicError } from '../errors.js';
import { createKubeApis, type KubeApis, type KubeRequestInfo, loadClusterKubeConfig } from '../kube/client.js';
import { createRequestCap } from '../kube/request-cap.js';
import type { ReadinessCheck } from '../server/app.js';
import type { Clusters } from './services.js';

/** One cluster's API before its services are built: medic.yaml `clusters[i]`, or the one unnamed cluster. */
export interface ClusterLink {
  name: string | undefined;
  kube: KubeApis | null;
  setting?: ClusterSetting;
}

/**
 * Connects every cluster medic.yaml `clusters` lists; without `clusters`, the one unnamed cluster `implicit()`
 * connects (MEDIC_KUBE_SERVER, KUBECONFIG or in-cluster, src/wiring.ts connectKube).
 * @throws MedicError CONFIG_INVALID for a context not in the kubeconfig or a kubeconfig Medic cannot use.
 */
export function connectClusters(
  config: Pick<Config, 'settings' | 'kube'>,
  env: Record<string, string | undefined>,
  implicit: () => KubeApis | null,
  onRequest?: (info: KubeRequestInfo) => void,
): ClusterLink[] {
  const { clusters } = config.settings;
  if (!clusters) return [{ name: undefined, kube: implicit() }];
  return clusters.map((setting, index) => {
    const way = setting.kubeconfig ? 'kubeconfig' : setting.inCluster ? 'inCluster' : 'context';
    const kc = loadClusterKubeConfig(setting, `clusters[${index}].${way}`, {
      KUBECONFIG: config.kube.kubeconfig,
      HOME: env.HOME,
    });
    const tagged = onRequest ? (info: KubeRequestInfo) => onRequest({ ...info, cluster: setting.name }) : undefined;
    // The request cap protects one API server: each cluster has its own, so a hanging cluster's requests never
    // take the slots another cluster's diagnoses need.
    const requestCap = createRequestCap();
    return { name: setting.name, kube: createKubeApis(kc, { onRequest: tagged, requestCap }), setting };
  });
}

type ClusterCheck = { ok: true } | { ok: false; error: string };

const ping = (kube: KubeApis, signal: AbortSignal) =>
  kube.core.getAPIResources(undefined, kube.callOptions(signal)).then(() => undefined);

/**
 * /readyz's Kubernetes check: the one cluster must answer; of several, each is reported and Medic stays ready while
 * at least one answers (an unreachable cluster only makes its own diagnoses partial). Null without a cluster.
 */
export function clustersReadiness(clusters: Clusters): ReadinessCheck | null {
  const connected = clusters.all.flatMap((c) => (c.kube ? [{ name: c.name ?? '', kube: c.kube }] : []));
  const [only] = connected;
  if (!only) return null;
  if (!clusters.isNamed) return (signal) => ping(only.kube, signal);
  return async (signal) => {
    const results = await Promise.all(
      connected.map(async ({ name, kube }): Promise<[string, ClusterCheck]> => {
        try {
          await ping(kube, signal);
          return [name, { ok: true }];
        } catch (error) {
          return [name, { ok: false, error: errorMessage(error) }];
        }
      }),
    );
    const failures = results.flatMap(([name, r]) => (r.ok ? [] : [`${name}: ${r.error}`]));
    if (failures.length === results.length) {
      throw new MedicError('UNAVAILABLE', `no cluster answers: ${failures.join('; ')}`);
    }
    return { clusters: Object.fromEntries(results) };
  };
}

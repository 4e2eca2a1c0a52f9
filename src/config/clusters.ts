/**
 * The `clusters` settings checked as a whole, where one entry alone cannot tell: names are unique, `defaultCluster`
 * and `channels` rules name a configured cluster, a kubeconfig file exists, at most one cluster is the one Medic
 * runs in, and MEDIC_KUBE_SERVER (one cluster) does not contradict the list. Each problem is one sentence naming
 * the setting. Whether a context exists in KUBECONFIG is checked when the clusters are connected (src/kube), where
 * kubeconfig files are read the way kubectl reads them.
 */
import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { MedicError } from '../errors.js';
import type { Settings } from './settings.js';

const invalid = (field: string, message: string) => new MedicError('CONFIG_INVALID', message, { field });

export function checkClusterSettings(
  settings: Settings,
  source: string,
  env: { MEDIC_KUBE_SERVER?: string | undefined },
): void {
  const { clusters } = settings;
  if (!clusters) {
    if (settings.defaultCluster !== undefined) {
      throw invalid(
        'defaultCluster',
        `${source}: "defaultCluster" is ${settings.defaultCluster} but no "clusters" are listed; list the clusters or remove defaultCluster.`,
      );
    }
    const rule = settings.channels.findIndex((r) => r.match.cluster !== undefined);
    if (rule >= 0) {
      throw invalid(
        `channels[${rule}].match.cluster`,
        `${source}: "channels[${rule}]" matches cluster ${settings.channels[rule]?.match.cluster} but no "clusters" are listed; list the clusters or remove the match.`,
      );
    }
    return;
  }
  if (env.MEDIC_KUBE_SERVER) {
    throw invalid(
      'MEDIC_KUBE_SERVER',
      `MEDIC_KUBE_SERVER names one cluster but ${source} lists "clusters"; unset MEDIC_KUBE_SERVER and give each cluster a context, kubeconfig or inCluster.`,
    );
  }
  const names = new Set<string>();
  clusters.forEach((cluster, index) => {
    if (names.has(cluster.name)) {
      throw invalid(
        `clusters[${index}].name`,
        `${source}: "clusters[${index}].name" ${cluster.name} is listed twice; give each cluster its own name.`,
      );
    }
    names.add(cluster.name);
    if (cluster.kubeconfig !== undefined && !existsSync(resolve(cluster.kubeconfig))) {
      throw invalid(
        `clusters[${index}].kubeconfig`,
        `${source}: "clusters[${index}].kubeconfig" ${cluster.kubeconfig} does not exist${isAbsolute(cluster.kubeconfig) ? '' : ' (relative to the working directory)'}; fix the path or mount the file.`,
      );
    }
  });
  const inCluster = clusters.filter((c) => c.inCluster);
  if (inCluster.length > 1) {
    throw invalid(
      'clusters',
      `${source}: clusters ${inCluster.map((c) => c.name).join(' and ')} both say inCluster, but Medic runs in one cluster; give the others a context or kubeconfig.`,
    );
  }
  const known = [...names].join(', ');
  if (settings.defaultCluster !== undefined && !names.has(settings.defaultCluster)) {
    throw invalid(
      'defaultCluster',
      `${source}: "defaultCluster" ${settings.defaultCluster} is not one of the clusters (${known}); name one of them.`,
    );
  }
  settings.channels.forEach((rule, index) => {
    const wanted = rule.match.cluster;
    if (wanted !== undefined && !names.has(wanted)) {
      throw invalid(
        `channels[${index}].match.cluster`,
        `${source}: "channels[${index}]" matches cluster ${wanted}, which is not one of the clusters (${known}).`,
      );
    }
  });
}

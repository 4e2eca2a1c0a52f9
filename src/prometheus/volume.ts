/**
 * A claim's fill level from the kubelet's volume stats, the series KubePersistentVolumeFillingUp is written over
 * (kubernetes-mixin storage_alerts): capacity and available bytes, and the share of free inodes.
 */
import { type PrometheusCallOptions, promString, queryInstant, singleValue } from './client.js';

export interface VolumeSelector {
  namespace: string;
  pvc: string;
}

export interface VolumeUsage {
  capacityBytes: number | null;
  availableBytes: number | null;
  /** Free inodes / all inodes (0..1); null when the filesystem reports none (e.g. some CSI drivers). */
  inodesFreeShare: number | null;
}

/** The PromQL Medic sends for one claim (max: a claim mounted on two nodes reports twice, the same volume). */
export function volumeQueries(s: VolumeSelector): Record<keyof VolumeUsage, string> {
  const m = `namespace=${promString(s.namespace)},persistentvolumeclaim=${promString(s.pvc)}`;
  return {
    capacityBytes: `max(kubelet_volume_stats_capacity_bytes{${m}})`,
    availableBytes: `max(kubelet_volume_stats_available_bytes{${m}})`,
    inodesFreeShare: `max(kubelet_volume_stats_inodes_free{${m}}) / max(kubelet_volume_stats_inodes{${m}})`,
  };
}

export async function fetchVolumeUsage(
  prometheusUrl: string,
  selector: VolumeSelector,
  options: PrometheusCallOptions = {},
): Promise<VolumeUsage> {
  const q = volumeQueries(selector);
  const [capacity, available, inodes] = await Promise.all([
    queryInstant(prometheusUrl, q.capacityBytes, options),
    queryInstant(prometheusUrl, q.availableBytes, options),
    queryInstant(prometheusUrl, q.inodesFreeShare, options),
  ]);
  return {
    capacityBytes: singleValue(capacity),
    availableBytes: singleValue(available),
    inodesFreeShare: singleValue(inodes),
  };
}

/**
 * Which cluster an alert, a proposal or a command is for — the one home of that rule. Without `clusters` in
 * medic.yaml there is one unnamed cluster and every question has that answer (nothing is named, keyed or shown
 * differently from a single-cluster Medic). With `clusters`: an alert names its cluster by the `clusterLabel`
 * label, or goes to `defaultCluster`; a proposal carries its cluster; a command says `--cluster NAME`, or its
 * channel is routed to one cluster. Anything else is answered plainly and never guessed.
 */
import type { Settings } from '../config/settings.js';

/** What the registry needs of each cluster; the services built for it ride along. */
export interface NamedCluster {
  /** medic.yaml `clusters[].name`; undefined for the one unnamed cluster. */
  name: string | undefined;
}

/** The answer to `--cluster` when Medic serves one unnamed cluster. */
export const NO_CLUSTER_NAMES = 'Medic serves one cluster, which has no name; leave out `--cluster`.';

export type ClusterChoice<T> = { ok: true; cluster: T } | { ok: false; message: string };

export interface ClusterRegistry<T extends NamedCluster> {
  /** Every cluster in medic.yaml order; one unnamed entry without `clusters`. */
  readonly all: readonly T[];
  /** True when medic.yaml lists `clusters` (names appear in keys, threads and audit lines). */
  readonly isNamed: boolean;
  /** The cluster name an alert's labels give (the label, else defaultCluster); undefined when unnamed or none. */
  nameOf(labels: Record<string, string>): string | undefined;
  /** The cluster an alert is about, or the sentence that says why there is none. */
  forAlert(labels: Record<string, string>): ClusterChoice<T>;
  /** A proposal's cluster (its record's `cluster`); null when that cluster is not configured (any more). */
  forProposal(proposal: { cluster?: string | undefined }): T | null;
  /**
   * The cluster a slash command acts on: `--cluster NAME`, else the only cluster, else the one cluster the
   * channel is routed to by `channels`; otherwise the list of clusters to choose from.
   */
  forCommand(flag: string | undefined, channelId: string): ClusterChoice<T>;
}

export function createClusterRegistry<T extends NamedCluster>(
  settings: Pick<Settings, 'clusterLabel' | 'defaultCluster' | 'channels'>,
  clusters: readonly T[],
): ClusterRegistry<T> {
  const isNamed = clusters.some((c) => c.name !== undefined);
  const byName = new Map(clusters.map((c) => [c.name, c]));
  const names = clusters.map((c) => c.name).join(', ');
  const only = clusters.length === 1 ? clusters[0] : undefined;
  const { clusterLabel, defaultCluster } = settings;

  const nameOf = (labels: Record<string, string>) => (isNamed ? (labels[clusterLabel] ?? defaultCluster) : undefined);

  return {
    all: clusters,
    isNamed,
    nameOf,
    forAlert(labels) {
      if (!isNamed && only) return { ok: true, cluster: only };
      const label = labels[clusterLabel];
      const name = label ?? defaultCluster;
      const found = name === undefined ? undefined : byName.get(name);
      if (found) return { ok: true, cluster: found };
      if (label !== undefined) {
        return {
          ok: false,
          message: `The alert's ${clusterLabel} label names cluster ${label}, which Medic is not configured for (its clusters: ${names}); nothing was read from any cluster.`,
        };
      }
      return {
        ok: false,
        message: `The alert has no ${clusterLabel} label and medic.yaml sets no defaultCluster, so Medic cannot tell which of its clusters (${names}) it is about; nothing was read from any cluster.`,
      };
    },
    forProposal(proposal) {
      if (!isNamed) return proposal.cluster === undefined ? (only ?? null) : null;
      return proposal.cluster === undefined ? null : (byName.get(proposal.cluster) ?? null);
    },
    forCommand(flag, channelId) {
      if (!isNamed) {
        if (flag === undefined && only) return { ok: true, cluster: only };
        return { ok: false, message: NO_CLUSTER_NAMES };
      }
      if (flag !== undefined) {
        const found = byName.get(flag);
        if (found) return { ok: true, cluster: found };
        return { ok: false, message: `Medic has no cluster named \`${flag}\`; its clusters: ${names}.` };
      }
      if (only) return { ok: true, cluster: only };
      const routed = new Set(
        settings.channels.filter((r) => r.channel === channelId && r.match.cluster).map((r) => r.match.cluster),
      );
      const [one] = routed;
      const found = routed.size === 1 && one !== undefined ? byName.get(one) : undefined;
      if (found) return { ok: true, cluster: found };
      return {
        ok: false,
        message: `Medic serves several clusters: ${names}. Add \`--cluster NAME\` to say which one; nothing was done.`,
      };
    },
  };
}

/**
 * The settings that hold in one cluster: its `approvers` and `remediation` entries replace the global ones, key
 * by key for `remediation`; everything else is global.
 */
export function settingsForCluster(
  settings: Settings,
  cluster: { approvers?: string[] | undefined; remediation?: Partial<Settings['remediation']> | undefined },
): Settings {
  const overrides = Object.fromEntries(Object.entries(cluster.remediation ?? {}).filter(([, v]) => v !== undefined));
  return {
    ...settings,
    approvers: cluster.approvers ?? settings.approvers,
    remediation: { ...settings.remediation, ...overrides },
  };
}

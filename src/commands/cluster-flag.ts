/** `--cluster NAME` in a slash command: which configured cluster it acts on (src/clusters decides the rest). */
import type { ClusterChoice } from '../clusters/registry.js';
import { CLUSTER_NAME } from '../config/settings.js';

/** Takes `--cluster NAME` out of a command's words; a string is the error to show. */
export function takeClusterFlag(words: string[], usage: string): { cluster?: string; words: string[] } | string {
  const rest: string[] = [];
  let cluster: string | undefined;
  for (let i = 0; i < words.length; i += 1) {
    const word = words[i] ?? '';
    if (word !== '--cluster') {
      rest.push(word);
      continue;
    }
    const value = words[i + 1];
    if (!value || !CLUSTER_NAME.test(value)) return `\`--cluster\` needs a cluster name. ${usage}`;
    if (cluster !== undefined && cluster !== value) return `\`--cluster\` is given twice. ${usage}`;
    cluster = value;
    i += 1;
  }
  return { ...(cluster !== undefined ? { cluster } : {}), words: rest };
}

/** Chooses a command's cluster from its flag and channel (ClusterRegistry.forCommand, with what a command needs). */
export type ChooseCluster<T> = (flag: string | undefined, channelId: string) => ClusterChoice<T>;

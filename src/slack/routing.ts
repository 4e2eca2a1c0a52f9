/**
 * Which channel an alert goes to: the first `channels` rule of medic.yaml that matches, else SLACK_CHANNEL.
 * `cluster` is the alert's configured cluster (src/clusters decides it), for rules that match a cluster.
 */
import type { AlertEvent } from '../alertmanager/payload.js';
import type { Settings } from '../config/settings.js';
import { MedicError } from '../errors.js';

export function routeChannel(
  event: Pick<AlertEvent, 'alert' | 'commonLabels'>,
  routes: Settings['channels'],
  defaultChannel: string | undefined,
  cluster?: string,
): string {
  const labels = { ...event.commonLabels, ...event.alert.labels };
  for (const route of routes) {
    const { namespace, labels: wanted } = route.match;
    if (namespace !== undefined && labels.namespace !== namespace) continue;
    if (route.match.cluster !== undefined && route.match.cluster !== cluster) continue;
    if (wanted && !Object.entries(wanted).every(([name, value]) => labels[name] === value)) continue;
    return route.channel;
  }
  if (defaultChannel) return defaultChannel;
  throw new MedicError(
    'CONFIG_INVALID',
    'No Slack channel for this alert: set SLACK_CHANNEL or add a matching rule under "channels" in medic.yaml.',
    { field: 'SLACK_CHANNEL', permanent: true },
  );
}

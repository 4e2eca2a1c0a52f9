/**
 * Every scenario again, as another cluster and another Prometheus would show the same incident; each must still
 * pass its expect.json. Found this way: events from the events.k8s.io recorder were dated by their first occurrence
 * (docs/reliability.md). The variant, all at once:
 * - every repeated Event as the events.k8s.io recorder writes it, read through core/v1: eventTime at the first
 *   occurrence, series.count and series.lastObservedTime, no firstTimestamp, lastTimestamp or count;
 * - the snapshot's objects in reverse order (an API server lists by name, not in the order a scenario wrote them);
 * - every timestamp a year and a month earlier (an incident replayed long after it happened), mustMention's too;
 * - Prometheus' external labels on every alert (cluster, prometheus, prometheus_replica, region).
 */
import { describe, it } from 'vitest';
import { eventsAsEventsApi } from '../support/events-api.js';
import { diagnoseFolder, expectAsScored, scenarioFolders, type Variant } from './scenario-runner.js';

const SHIFT_MS = -400 * 86_400_000;
const TIMESTAMP = /(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})/g;

/** Every RFC 3339 timestamp in `text` moved by SHIFT_MS (Alertmanager's zero time, year 1, stays). */
function shifted(text: string): string {
  return text.replace(TIMESTAMP, (whole, base: string, fraction: string | undefined, zone: string) => {
    if (base.startsWith('0001')) return whole;
    const at = new Date(`${base}${zone}`).getTime() + SHIFT_MS;
    return `${new Date(at).toISOString().slice(0, 19)}${fraction ?? ''}Z`;
  });
}

const EXTERNAL = {
  cluster: 'prod-eu-1',
  prometheus: 'monitoring/k8s',
  prometheus_replica: 'prometheus-k8s-0',
  region: 'eu-west-1',
};

const otherCluster: Variant = {
  text: shifted,
  objects: (objects) => eventsAsEventsApi(objects).reverse(),
  labels: (labels) => ({ ...EXTERNAL, ...labels }),
};

describe('every scenario as another cluster shows it', () => {
  for (const { name, dir, expected, missing } of scenarioFolders())
    it.skipIf(missing.length > 0)(name, async () => {
      expectAsScored(await diagnoseFolder(dir, otherCluster), expected, shifted);
    });
});

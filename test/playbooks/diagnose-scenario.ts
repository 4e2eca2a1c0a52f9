/** Diagnoses one alert of a test/scenarios folder through the real engine, client and sandbox, with tweaks. */
import { readFileSync } from 'node:fs';
import { afterEach } from 'vitest';
import { PLAYBOOKS } from '../../playbooks/index.js';
import { type AlertEvent, toAlertEvents, webhookPayloadSchema } from '../../src/alertmanager/payload.js';
import { settingsSchema } from '../../src/config/settings.js';
import { createPlaybookEngine } from '../../src/diagnosis/engine.js';
import { createKubeApis, loadKubeConfig } from '../../src/kube/client.js';
import { createClusterReader } from '../../src/kube/reader.js';
import { createLogger } from '../../src/logger.js';
import { loadSnapshot, type Sandbox, startSandbox } from '../../src/sandbox/index.js';
import type { Diagnosis } from '../../src/types.js';

export function scenarioObjects(dir: string): Record<string, any>[] {
  return loadSnapshot(readFileSync(`${dir}/cluster.yaml`, 'utf8'), dir) as Record<string, any>[];
}

export function scenarioEvent(dir: string, edit: (e: AlertEvent) => void = () => {}): AlertEvent {
  const payload = webhookPayloadSchema.parse(JSON.parse(readFileSync(`${dir}/alert.json`, 'utf8')));
  const event = toAlertEvents(payload, 0)[0];
  if (!event) throw new Error(`${dir}/alert.json has no alert`);
  edit(event);
  return event;
}

export async function diagnoseIn(
  sandbox: Sandbox,
  event: AlertEvent,
  options: { prometheusUrl?: string; now?: () => number } = {},
): Promise<Diagnosis> {
  const engine = createPlaybookEngine({
    playbooks: PLAYBOOKS,
    reader: createClusterReader(createKubeApis(loadKubeConfig({ server: sandbox.url })), { cacheTtlMs: 0 }),
    settings: settingsSchema.parse({}),
    logger: createLogger('silent'),
    ...options,
  });
  return engine.diagnose(event, AbortSignal.timeout(20_000));
}

export { startSandbox };
export const textOf = (d: Diagnosis) => [d.rootCause.summary, ...d.evidence.map((e) => e.text)].join('\n');

type SnapshotObject = Record<string, any>;

/**
 * diagnose(dir, edit, editEvent) for a test file: a sandbox serving the folder's snapshot as `edit` returns it, the
 * folder's first alert (as `editEvent` changes it) diagnosed against it; each test's sandbox is closed after the test.
 */
export function scenarioDiagnoser(): (
  dir: string,
  edit?: (objects: SnapshotObject[]) => SnapshotObject[],
  editEvent?: (e: AlertEvent) => void,
) => Promise<Diagnosis> {
  let sandbox: Sandbox | undefined;
  afterEach(async () => {
    await sandbox?.close();
    sandbox = undefined;
  });
  return async (dir, edit = (objects) => objects, editEvent = () => {}) => {
    sandbox = await startSandbox({ objects: edit(scenarioObjects(dir)) as never });
    return diagnoseIn(sandbox, scenarioEvent(dir, editEvent));
  };
}

/** An edit for scenarioDiagnoser that changes a copy of every snapshot object in place. */
export function eachObject(change: (o: SnapshotObject) => void): (objects: SnapshotObject[]) => SnapshotObject[] {
  return (objects) =>
    objects.map((o) => {
      const copy = structuredClone(o);
      change(copy);
      return copy;
    });
}

/**
 * `/medic diagnose` answers what the alert path answers. For every scenario of ../shared/scenarios, each alert
 * goes through processAlertEvent; then the object it is about (the Pod, Deployment or StatefulSet its labels
 * name, else the workload behind the Service it names) is asked for by name with `/medic diagnose <name> -n
 * <ns>`: the command looks it up in the sandbox cluster, and the queued request runs through
 * processDiagnoseRequest. Both must name the same root cause and propose the same kinds of action.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PLAYBOOKS } from '../../playbooks/index.js';
import { toAlertEvents, webhookPayloadSchema } from '../../src/alertmanager/payload.js';
import { runMedicCommand } from '../../src/commands/medic.js';
import { parseSettings } from '../../src/config/load.js';
import { createPlaybookEngine } from '../../src/diagnosis/engine.js';
import { namedTarget } from '../../src/diagnosis/target.js';
import { createIncidentServices } from '../../src/incidents/services.js';
import { createKubeApis, loadKubeConfig } from '../../src/kube/client.js';
import { createClusterReader } from '../../src/kube/reader.js';
import {
  DIAGNOSE_KINDS,
  type DiagnoseRequest,
  diagnoseTargetFinder,
  processDiagnoseRequest,
} from '../../src/pipeline/diagnose-request.js';
import { processAlertEvent } from '../../src/pipeline/process-alert.js';
import { startSandbox } from '../../src/sandbox/index.js';
import { createAuditLog } from '../../src/store/audit.js';
import { createDiagnosisStore } from '../../src/store/diagnoses.js';
import type { Redis } from '../../src/store/redis.js';
import type { Diagnosis } from '../../src/types.js';
import { wireIncidents } from '../../src/wiring.js';
import { connect, deleteKeysUnder, silentLogger, uniquePrefix } from '../support/redis.js';
import { RecordingNotifier } from './recording-notifier.js';

const ROOT = resolve('../shared/scenarios');
const scenarios = existsSync(ROOT)
  ? readdirSync(ROOT).filter((name) => existsSync(join(ROOT, name, 'alert.json')))
  : [];
const settings = parseSettings('{}', 'medic.yaml');

let redis: Redis;
let prefix: string;
beforeAll(() => {
  redis = connect('store');
  prefix = uniquePrefix('diagnose-request');
});
afterAll(async () => {
  redis.disconnect();
  await deleteKeysUnder(prefix);
});

/** The name `/medic diagnose` is asked for: the object the alert names, or the workload the alert path found. */
function askedFor(labels: Record<string, string>, diagnosis: Diagnosis): { namespace: string; name: string } | null {
  const named = namedTarget(labels);
  if (named?.namespace && (DIAGNOSE_KINDS as readonly string[]).includes(named.kind)) {
    return { namespace: named.namespace, name: named.name };
  }
  const t = diagnosis.target;
  return t?.namespace && t.workload ? { namespace: t.namespace, name: t.workload.name } : null;
}

describe.each(scenarios)('/medic diagnose and the alert agree on %s', (name) => {
  it('names the same root cause and proposes the same action kinds', async () => {
    const dir = join(ROOT, name);
    const payload = webhookPayloadSchema.parse(JSON.parse(readFileSync(join(dir, 'alert.json'), 'utf8')));
    const sandbox = await startSandbox({ file: join(dir, 'cluster.yaml') });
    try {
      const reader = createClusterReader(createKubeApis(loadKubeConfig({ server: sandbox.url })));
      const engine = createPlaybookEngine({ playbooks: PLAYBOOKS, reader, settings, logger: silentLogger });
      const view = new RecordingNotifier();
      const services = createIncidentServices({
        redis,
        prefix,
        settings,
        remediation: {
          prepare: async () => ({ ok: false, reason: 'not under test' }),
          execute: async () => Promise.reject(new Error('not under test')),
        },
        logger: silentLogger,
      });
      const incidents = wireIncidents({ redis, prefix, services, view });
      const deps = { engine, incidents, store: createDiagnosisStore({ redis, prefix }), logger: silentLogger };
      let compared = 0;
      for (const event of toAlertEvents(payload, Date.now())) {
        const signal = AbortSignal.timeout(20_000);
        const outcome = await processAlertEvent(event, { ...deps, signal });
        if (outcome.kind !== 'diagnosed') throw new Error('a firing alert is diagnosed');
        const viaAlert = outcome.diagnosis;
        const object = askedFor(event.alert.labels, viaAlert);
        if (!object) continue;
        const queued: DiagnoseRequest[] = [];
        const answer = await runMedicCommand(
          { userId: 'U1', channelId: 'COPS', text: `diagnose ${object.name} -n ${object.namespace}` },
          {
            audit: createAuditLog(redis, prefix),
            // Typed while the alert fires: the snapshot is that moment (playbooks weigh events against the time).
            now: () => Date.parse(event.alert.startsAt),
            findTarget: diagnoseTargetFinder(reader.scoped(signal)),
            enqueueDiagnose: async (request) => {
              queued.push(request);
            },
          },
        );
        compared += 1;
        const [request] = queued;
        if (viaAlert.rootCause.code === 'TARGET_NOT_FOUND') {
          // The object is gone: the command says so at once instead of queueing a diagnosis.
          expect(answer.text).toContain(`named \`${object.name}\``);
          expect(request).toBeUndefined();
          continue;
        }
        expect(request, answer.text).toBeDefined();
        if (!request) continue;
        const manual = await processDiagnoseRequest(request, { ...deps, signal });
        if (manual.kind !== 'diagnosed') throw new Error('a /medic diagnose request is diagnosed');
        const viaCommand = manual.diagnosis;
        expect(viaCommand.rootCause.code, viaCommand.rootCause.summary).toBe(viaAlert.rootCause.code);
        expect(viaCommand.actions.map((a) => a.kind).sort()).toEqual(viaAlert.actions.map((a) => a.kind).sort());
        // The answer goes to the channel the command was typed in, as its own thread.
        const shown = view.calls.at(-1);
        expect(shown?.type === 'firing' && shown.event.requestedBy?.channel).toBe('COPS');
      }
      expect(compared, 'every scenario names an object /medic diagnose can be asked about').toBeGreaterThan(0);
    } finally {
      await sandbox.close();
    }
  });
});

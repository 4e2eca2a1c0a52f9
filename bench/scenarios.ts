/** The scenario incidents (../shared/scenarios) as benchmark input: their objects, and fresh copies of their alerts. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadSnapshot } from '../src/sandbox/index.js';
import { SCENARIOS_DIR, type TestPayload } from '../test/support/alerts.js';
import { createHttpClient } from '../test/support/http.js';
import type { Stack } from '../test/support/stack.js';

export interface Scenario {
  name: string;
  payload: TestPayload;
  expected: string[];
}

/**
 * `objects`' namespaced objects copied into namespaces named `<namespace><suffix>` (every `"namespace":"<ns>"` in
 * an object, its events' involvedObject included, follows its own metadata.namespace); cluster-scoped objects
 * (nodes, volumes) are left out: the copies share them.
 */
export function copyNamespaced(objects: unknown[], suffix: string): unknown[] {
  return objects.flatMap((o) => {
    const namespace = (o as { metadata?: { namespace?: string } }).metadata?.namespace;
    if (!namespace) return [];
    const copied = JSON.stringify(o).replaceAll(`"namespace":"${namespace}"`, `"namespace":"${namespace}${suffix}"`);
    return [JSON.parse(copied) as unknown];
  });
}

/** The namespace suffix of copy `copy` of a scenario (copy 0 is the scenario itself). */
const copySuffix = (copy: number) => (copy === 0 ? '' : `-c${copy}`);

/** The scenarios' names, in the order loadScenarios returns them. */
export const scenarioNames = (): string[] => readdirSync(SCENARIOS_DIR).sort();

/**
 * Every scenario's alert and expected root causes, and all their cluster objects for one sandbox: the scenario's
 * own and `copies - 1` copies of its namespaced objects in namespaces of their own, so that `freshAlert` can point
 * each alert at objects no other recent alert is about (distinct incidents: nothing to share between them).
 */
export function loadScenarios(copies = 1): { scenarios: Scenario[]; objects: unknown[] } {
  const scenarios: Scenario[] = [];
  const objects: unknown[] = [];
  for (const name of scenarioNames()) {
    const dir = join(SCENARIOS_DIR, name);
    const own = loadSnapshot(readFileSync(join(dir, 'cluster.yaml'), 'utf8'), name);
    objects.push(...own);
    for (let copy = 1; copy < copies; copy += 1) objects.push(...copyNamespaced(own, copySuffix(copy)));
    const expect = JSON.parse(readFileSync(join(dir, 'expect.json'), 'utf8')) as { diagnoses: { rootCause: string }[] };
    scenarios.push({
      name,
      payload: JSON.parse(readFileSync(join(dir, 'alert.json'), 'utf8')) as TestPayload,
      expected: expect.diagnoses.map((d) => d.rootCause),
    });
  }
  return { scenarios, objects };
}

let serial = 0;
const uses = new Map<string, number>();
/**
 * The scenario's first alert as a new group with a fresh fingerprint: a new thread, a new diagnosis. Each call for
 * a scenario points at its next copy (loadScenarios' `copies`, round robin): in its namespaces, so a diagnosis
 * reads objects no other alert of the last `copies` of that scenario read, and shares nothing with them.
 */
export function freshAlert(scenario: Scenario, tag: string, copies = 1): { payload: TestPayload; fingerprint: string } {
  serial += 1;
  const copy = (uses.get(scenario.name) ?? 0) % copies;
  uses.set(scenario.name, copy + 1);
  const fingerprint = (Date.now().toString(16) + serial.toString(16).padStart(6, '0')).slice(-16);
  // The scenario's own startsAt: playbooks weigh evidence by its time relative to the alert (an OOM kill days
  // before the alert started is not its cause), so re-stamping it "now" turned two incidents into UNKNOWN.
  const original = scenario.payload.alerts[0]!;
  const labels = { ...original.labels };
  for (const name of ['namespace', 'exported_namespace']) {
    if (labels[name]) labels[name] = `${labels[name]}${copySuffix(copy)}`;
  }
  const alert = { ...original, labels, fingerprint };
  return {
    fingerprint,
    payload: { ...scenario.payload, groupKey: `${scenario.payload.groupKey}:${tag}-${serial}`, alerts: [alert] },
  };
}

/** Resolves when the diagnosis reply for `fingerprint` reaches Slack; `sentAt` → latency. */
export function replyWatcher(stack: Stack) {
  const seen = new Map<string, { at: number; rootCause: string }>();
  let checked = 0;
  return {
    poll() {
      for (; checked < stack.slackCalls.length; checked += 1) {
        const call = stack.slackCalls[checked]!;
        if (call.method === 'chat.postMessage' && call.ok && call.diagnosis && !seen.has(call.diagnosis.fingerprint)) {
          seen.set(call.diagnosis.fingerprint, { at: call.at, rootCause: call.diagnosis.rootCause });
        }
      }
      return seen;
    },
  };
}

/** Posts payloads to Medic's webhook over one keep-alive client; anything but a 202 throws. `close` when done. */
export function webhookPoster(url: string) {
  const http = createHttpClient();
  return {
    async post(payload: TestPayload): Promise<void> {
      const response = await http.send('POST', url, JSON.stringify(payload), { 'content-type': 'application/json' });
      if (response.status !== 202) throw new Error(`webhook answered ${response.status}: ${response.text}`);
    },
    close: () => http.close(),
  };
}

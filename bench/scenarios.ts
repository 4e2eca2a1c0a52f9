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

/** Every scenario's alert and expected root causes, and all their cluster objects for one sandbox. */
export function loadScenarios(): { scenarios: Scenario[]; objects: unknown[] } {
  const scenarios: Scenario[] = [];
  const objects: unknown[] = [];
  for (const name of readdirSync(SCENARIOS_DIR).sort()) {
    const dir = join(SCENARIOS_DIR, name);
    objects.push(...loadSnapshot(readFileSync(join(dir, 'cluster.yaml'), 'utf8'), name));
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
/** The scenario's first alert as a new group with a fresh fingerprint: a new thread, a new diagnosis. */
export function freshAlert(scenario: Scenario, tag: string): { payload: TestPayload; fingerprint: string } {
  serial += 1;
  const fingerprint = (Date.now().toString(16) + serial.toString(16).padStart(6, '0')).slice(-16);
  // The scenario's own startsAt: playbooks weigh evidence by its time relative to the alert (an OOM kill days
  // before the alert started is not its cause), so re-stamping it "now" turned two incidents into UNKNOWN.
  const alert = { ...scenario.payload.alerts[0]!, fingerprint };
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

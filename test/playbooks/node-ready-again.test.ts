/**
 * A node readiness alert about a node that is Ready now (test/scenarios/node-readiness-flapping-ready-now): UNKNOWN
 * with the node's state and events, never a cordon and never "look at the application".
 */
import { afterEach, describe, expect, it } from 'vitest';
import { diagnoseIn, scenarioEvent, scenarioObjects, startSandbox } from './diagnose-scenario.js';

const DIR = 'test/scenarios/node-readiness-flapping-ready-now';
let sandbox: Awaited<ReturnType<typeof startSandbox>> | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

/** The scenario's alert renamed to `alertname`, against its unchanged cluster. */
async function diagnoseAs(alertname: string) {
  sandbox = await startSandbox({ objects: scenarioObjects(DIR) as never });
  return diagnoseIn(
    sandbox,
    scenarioEvent(DIR, (e) => {
      e.alert.labels.alertname = alertname;
    }),
  );
}

describe('a readiness alert on a node that is Ready again', () => {
  it('says a KubeNodeNotReady spell is over, with no action', async () => {
    const d = await diagnoseAs('KubeNodeNotReady');
    expect(d.rootCause.code).toBe('UNKNOWN');
    expect(d.actions).toEqual([]);
    expect(d.rootCause.summary).toContain(
      'Node aks-userpool-38415927-vmss000003 is Ready now (since 2026-11-14T08:12:29Z): the NotReady spell behind KubeNodeNotReady is over',
    );
    expect(d.rootCause.summary).not.toContain('application');
  });

  it('leaves other node alerts on a Ready node to the other playbooks', async () => {
    const d = await diagnoseAs('NodeFilesystemSpaceFillingUp');
    expect(d.rootCause.summary).not.toContain('Ready now');
  });
});

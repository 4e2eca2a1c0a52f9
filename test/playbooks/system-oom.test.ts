/**
 * A container killed by its node's OOM killer (src/diagnosis/system-oom.ts; test/scenarios/oom-killed-by-node-system-oom):
 * the kubelet's SystemOOM event on the node at the kill's time says the node ran out of memory, so no limit raise.
 */
import { describe, expect, it } from 'vitest';
import { eachObject, scenarioDiagnoser, textOf } from './diagnose-scenario.js';

const DIR = 'test/scenarios/oom-killed-by-node-system-oom';
const diagnoseScenario = scenarioDiagnoser();

const kinds = (d: { actions: { kind: string }[] }) => d.actions.map((a) => a.kind);

describe('a container killed when its node ran out of memory', () => {
  it('says so, quotes the kubelet, and proposes no raise', async () => {
    const d = await diagnoseScenario(DIR);
    expect(d.rootCause.code).toBe('OOM_LIMIT');
    expect(d.rootCause.summary).toContain(
      "OOMKilled by node 10.9.20.11's OOM killer when the node ran out of memory, not by its own memory limit of 2Gi",
    );
    expect(textOf(d)).toContain('("System OOM encountered, victim process: java, pid: 28761")');
    expect(kinds(d)).toEqual([]);
  });

  it('raises the limit when the SystemOOM event is from another time', async () => {
    const earlier = eachObject((o) => {
      if (o.reason === 'SystemOOM') o.firstTimestamp = o.lastTimestamp = '2026-11-20T01:02:00Z';
    });
    const d = await diagnoseScenario(DIR, earlier);
    expect(kinds(d)).toEqual(['set-memory-limit']);
    expect(textOf(d)).not.toContain('SystemOOM');
  });

  it('does not trust SystemOOM from a kubelet older than 1.21, which recorded it for container kills too', async () => {
    const old = eachObject((o) => {
      if (o.kind === 'Node') o.status.nodeInfo.kubeletVersion = 'v1.20.15';
    });
    const d = await diagnoseScenario(DIR, old);
    expect(kinds(d)).toEqual(['set-memory-limit']);
  });

  it('reads a SystemOOM event from the events.k8s.io recorder too', async () => {
    const eventsApi = eachObject((o) => {
      if (o.reason !== 'SystemOOM') return;
      o.eventTime = '2026-11-20T03:12:36.120000Z';
      o.firstTimestamp = o.lastTimestamp = null;
      delete o.count;
    });
    const d = await diagnoseScenario(DIR, eventsApi);
    expect(kinds(d)).toEqual([]);
    expect(textOf(d)).toContain('SystemOOM');
  });
});

/**
 * Taints a cluster component sets and removes (src/diagnosis/system-taints.ts), read from the scheduler's refusal, and
 * UNKNOWN's finding for pods they keep off every node (test/scenarios/pending-nodes-never-initialized-by-cloud-controller).
 */
import { describe, expect, it } from 'vitest';
import { systemTaintRefusals } from '../../src/diagnosis/system-taints.js';
import { eachObject, scenarioDiagnoser } from '../playbooks/diagnose-scenario.js';

const DIR = 'test/scenarios/pending-nodes-never-initialized-by-cloud-controller';
const diagnoseScenario = scenarioDiagnoser();

describe('system taints', () => {
  it("reads today's and the pre-1.25 scheduler wording, and only well-known keys", () => {
    expect(
      systemTaintRefusals(
        '0/5 nodes are available: 2 node(s) had untolerated taint {node.cilium.io/agent-not-ready: }, 3 node(s) had untolerated taint {dedicated: batch}.',
      ),
    ).toEqual([{ key: 'node.cilium.io/agent-not-ready', value: '', nodes: 2 }]);
    expect(
      systemTaintRefusals(
        "0/3 nodes are available: 3 node(s) had taint {node.kubernetes.io/network-unavailable: }, that the pod didn't tolerate.",
      ),
    ).toEqual([{ key: 'node.kubernetes.io/network-unavailable', value: '', nodes: 3 }]);
    expect(systemTaintRefusals('0/3 nodes are available: 3 Insufficient cpu.')).toEqual([]);
  });

  it('names the uninitialized taint, its nodes and the cloud controller manager; proposes nothing', async () => {
    const d = await diagnoseScenario(DIR);
    expect(d.rootCause.code).toBe('UNKNOWN');
    expect(d.rootCause.summary).toContain('3 node(s) carry node.cloudprovider.kubernetes.io/uninitialized');
    expect(d.rootCause.summary).toContain('node-a1, node-b1, node-c1; the oldest joined 1 h 35 min before the alert');
    expect(d.rootCause.summary).toContain('the cloud controller manager is not running');
    expect(d.actions).toEqual([]);
  });

  it("says nothing of a taint the workload's own team set", async () => {
    const own = eachObject((o) => {
      const text = '0/3 nodes are available: 3 node(s) had untolerated taint {dedicated: batch}.';
      if (o.kind === 'Event') o.message = text;
      for (const c of o.status?.conditions ?? []) if (c.type === 'PodScheduled') c.message = text;
      for (const t of o.spec?.taints ?? []) Object.assign(t, { key: 'dedicated', value: 'batch' });
    });
    const d = await diagnoseScenario(DIR, own);
    expect(d.rootCause.summary).not.toContain('a cluster component sets');
  });
});

describe('room on nodes a new-node taint still holds', () => {
  const CILIUM = 'test/scenarios/pending-new-nodes-cilium-agent-not-ready';

  it('says adding nodes does not help while new nodes keep the taint', async () => {
    const d = await diagnoseScenario(CILIUM);
    expect(d.rootCause.code).toBe('INSUFFICIENT_CAPACITY');
    expect(d.rootCause.summary).toContain('3 node(s) carry node.cilium.io/agent-not-ready (node-n1, node-n2, node-n3');
    expect(d.rootCause.summary).toContain('Those nodes would have room for 15 such pod(s) without the taint');
    expect(d.rootCause.summary).toContain('Adding nodes does not help');
    expect(d.actions).toEqual([]);
  });

  it('keeps the usual advice when the tainted nodes would not fit the pod either', async () => {
    const small = eachObject((o) => {
      if (o.kind === 'Node' && (o.spec?.taints ?? []).length > 0) o.status.allocatable.cpu = '1';
    });
    const d = await diagnoseScenario(CILIUM, small);
    expect(d.rootCause.code).toBe('INSUFFICIENT_CAPACITY');
    expect(d.rootCause.summary).not.toContain('cilium');
    expect(d.rootCause.summary).toContain('Add nodes');
  });

  it('does not blame a pressure taint, which new nodes do not start with', async () => {
    const pressure = eachObject((o) => {
      const swap = (t: string) => t.replaceAll('node.cilium.io/agent-not-ready', 'node.kubernetes.io/memory-pressure');
      if (o.kind === 'Event') o.message = swap(o.message);
      for (const c of o.status?.conditions ?? []) if (c.message) c.message = swap(c.message);
      for (const t of o.spec?.taints ?? []) t.key = swap(t.key);
    });
    const d = await diagnoseScenario(CILIUM, pressure);
    expect(d.rootCause.summary).not.toContain('held by a taint');
  });
});

/**
 * A node NotReady whose kubelet still posts status and says why (test/scenarios/
 * node-not-ready-cni-plugin-not-initialized): the network plugin, PLEG or the runtime, and never "delete the Node".
 */
import { describe, expect, it } from 'vitest';
import { eachObject, scenarioDiagnoser } from './diagnose-scenario.js';

const DIR = 'test/scenarios/node-not-ready-cni-plugin-not-initialized';
const NODE = 'aks-userpool-38415927-vmss000003';
const diagnoseScenario = scenarioDiagnoser();

/** The scenario with the node's Ready condition message replaced. */
const saying = (message: string) =>
  eachObject((o) => {
    if (o.kind !== 'Node' || o.metadata.name !== NODE) return;
    for (const c of o.status.conditions) if (c.type === 'Ready') c.message = message;
  });

describe('a NotReady node whose kubelet says why', () => {
  it("names the network plugin's DaemonSet pod and keeps the Node", async () => {
    const d = await diagnoseScenario(DIR);
    expect(d.rootCause.code).toBe('NODE_NOT_READY');
    expect(d.rootCause.summary).toContain('reports its network plugin not ready');
    expect(d.rootCause.summary).toContain('do not delete the Node');
    expect(d.rootCause.summary).not.toContain('if it is gone for good');
  });

  it('reads PLEG and a runtime that is down', async () => {
    const pleg = await diagnoseScenario(
      DIR,
      saying('PLEG is not healthy: pleg was last seen active 3m4.2s ago; threshold is 3m0s'),
    );
    expect(pleg.rootCause.summary).toContain('PLEG is not healthy');
    const runtime = await diagnoseScenario(
      DIR,
      saying('container runtime is down, PLEG is not healthy: pleg has yet to be successful'),
    );
    expect(runtime.rootCause.summary).toContain('cannot reach the container runtime');
  });
});

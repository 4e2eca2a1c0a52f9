/**
 * calico-node unready because BIRD has no BGP session (test/scenarios/calico-node-bgp-wrong-interface-autodetected):
 * the node whose autodetected address is not its own is named, or TCP 179 when every address agrees.
 */
import { describe, expect, it } from 'vitest';
import { eachObject, scenarioDiagnoser, textOf } from './diagnose-scenario.js';

const DIR = 'test/scenarios/calico-node-bgp-wrong-interface-autodetected';
const diagnoseScenario = scenarioDiagnoser();

describe('calico-node without BGP sessions', () => {
  it("names the node Calico gave another interface's address, and the autodetection method", async () => {
    const d = await diagnoseScenario(DIR);
    expect(d.rootCause.code).toBe('PROBE_FAILURE');
    expect(d.actions).toEqual([]);
    expect(d.rootCause.summary).toContain(
      'Calico autodetected 172.17.0.1 for node worker-1, whose own address is 10.0.0.11 (IP_AUTODETECTION_METHOD unset, so first-found)',
    );
    expect(d.rootCause.summary).toContain('(exec ["/bin/calico-node","-felix-ready","-bird-ready"])');
  });

  it('points at TCP 179 when every autodetected address is the node’s own', async () => {
    const d = await diagnoseScenario(
      DIR,
      eachObject((o) => {
        if (o.kind === 'Node' && o.metadata.name === 'worker-1')
          o.metadata.annotations['projectcalico.org/IPv4Address'] = '10.0.0.11/24';
      }),
    );
    expect(d.rootCause.summary).toContain('TCP port 179');
    expect(textOf(d)).not.toContain('Docker');
  });

  it('says nothing of BGP when the probe fails for another reason', async () => {
    const d = await diagnoseScenario(
      DIR,
      eachObject((o) => {
        if (o.kind === 'Event') o.message = 'Readiness probe failed: calico/node is not ready: felix is not ready';
      }),
    );
    expect(d.rootCause.code).toBe('PROBE_FAILURE');
    expect(textOf(d)).not.toContain('BGP session');
  });
});

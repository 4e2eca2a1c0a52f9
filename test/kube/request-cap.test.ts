import { afterEach, describe, expect, it } from 'vitest';
import { createKubeApis, loadKubeConfig } from '../../src/kube/client.js';
import { isKubeError } from '../../src/kube/errors.js';
import { createClusterReader } from '../../src/kube/reader.js';
import { createRequestCap } from '../../src/kube/request-cap.js';
import { type Sandbox, startSandbox } from '../../src/sandbox/index.js';
import { type FaultProxy, startFaultProxy } from '../support/fault-proxy.js';
import { waitFor } from '../support/wait.js';

/** A sandbox API server answering every request after `latencyMs`, behind a proxy that sees how many are open. */
async function slowCluster(latencyMs: number) {
  const sandbox = await startSandbox({ latencyMs });
  const proxy = await startFaultProxy(sandbox.url);
  let open = 0;
  let peak = 0;
  proxy.setRule(() => {
    open += 1;
    peak = Math.max(peak, open);
    return null;
  });
  proxy.onExchange(() => {
    open -= 1;
  });
  return { sandbox, proxy, peak: () => peak };
}

let sandbox: Sandbox | undefined;
let proxy: FaultProxy | undefined;
afterEach(async () => {
  await proxy?.close();
  await sandbox?.close();
  proxy = undefined;
  sandbox = undefined;
});

describe('the cap on concurrent Kubernetes requests', () => {
  it('never has more than `limit` requests at a slow API server; the others wait their turn and are answered', async () => {
    const slow = await slowCluster(150);
    ({ sandbox, proxy } = slow);
    const cap = createRequestCap({ limit: 3, maxWaitMs: 10_000 });
    const reader = createClusterReader(
      createKubeApis(loadKubeConfig({ server: slow.proxy.url }), { requestCap: cap }),
      {
        cacheTtlMs: 0,
      },
    );
    const reads = Array.from({ length: 12 }, (_, i) => reader.getNode(`node-${i}`));
    await waitFor(() => cap.waiting() === 9, { timeoutMs: 5000, what: 'nine requests waiting for a slot' });
    expect(cap.inFlight()).toBe(3);
    expect(cap.waiting()).toBe(9);
    expect(await Promise.all(reads)).toEqual(Array(12).fill(null)); // not found: every one was answered
    expect(slow.peak()).toBe(3);
    expect(slow.proxy.log()).toHaveLength(12);
    expect(cap.inFlight()).toBe(0);
  });

  it('a request that waits past the bound is not sent and fails like an API server that did not answer', async () => {
    const slow = await slowCluster(600);
    ({ sandbox, proxy } = slow);
    const cap = createRequestCap({ limit: 1, maxWaitMs: 100 });
    const reader = createClusterReader(createKubeApis(loadKubeConfig({ server: slow.proxy.url }), { requestCap: cap }));
    const first = reader.listNodes();
    // Not a node: a GET of one would wait for the node list on the wire instead of for a slot.
    const second = reader.getPv('pv1').then(
      () => null,
      (error: unknown) => error,
    );
    const refused = await second;
    expect(isKubeError(refused) && refused.status).toBe(0);
    expect(isKubeError(refused) && refused.code).toBe('UNAVAILABLE');
    expect((refused as Error).message).toBe(
      'Kubernetes request not sent: no slot freed within 100 ms (1 requests already in flight)',
    );
    expect(await first).toEqual([]);
    expect(slow.proxy.log().map((r) => r.path)).toEqual(['/api/v1/nodes']);
  });

  it('gives the slot back when a request times out at a server that never answers', async () => {
    sandbox = await startSandbox({});
    sandbox.setFaults([{ path: '/nodes/hung$', hang: true }]);
    const cap = createRequestCap({ limit: 1, maxWaitMs: 5000 });
    const apis = createKubeApis(loadKubeConfig({ server: sandbox.url }), { requestCap: cap, timeoutMs: 200 });
    const reader = createClusterReader(apis, { cacheTtlMs: 0 });
    const hung = reader.getNode('hung').then(
      () => 'answered',
      () => 'failed',
    );
    expect(await reader.getNode('after')).toBeNull();
    expect(await hung).toBe('failed');
    expect(cap.inFlight()).toBe(0);
  });

  it('refuses a limit that is not a positive integer', () => {
    expect(() => createRequestCap({ limit: 0 })).toThrow('request cap must be a positive integer, got 0');
  });
});

import { describe, expect, it } from 'vitest';
import { meshSidecarReading } from '../../src/diagnosis/mesh-sidecars.js';
import type { PlaybookContext } from '../../src/diagnosis/playbook.js';
import { containersOf } from '../../src/diagnosis/pods.js';
import type { Pod } from '../../src/kube/reader.js';

const REFUSED = 'dial tcp 10.96.45.12:5432: connect: connection refused';
/** Only the not-ready shape reads a log; these pods' sidecars are ready. */
const CTX = {} as PlaybookContext;

function pod(runStarted: string, options: { annotation?: string; native?: boolean } = {}): Pod {
  const proxy = { name: 'istio-proxy', image: 'docker.io/istio/proxyv2:1.22.3' };
  const proxyStatus = {
    name: 'istio-proxy',
    ready: true,
    restartCount: 0,
    image: proxy.image,
    imageID: '',
    state: { running: { startedAt: '2026-11-20T03:01:33Z' } },
  };
  return {
    metadata: {
      name: 'payments-api-6c9f8d7b4a-n4k8w',
      ...(options.annotation ? { annotations: { 'proxy.istio.io/config': options.annotation } } : {}),
    },
    spec: {
      containers: [{ name: 'api' }, ...(options.native ? [] : [proxy])],
      ...(options.native ? { initContainers: [{ ...proxy, restartPolicy: 'Always' }] } : {}),
    },
    status: {
      containerStatuses: [
        {
          name: 'api',
          ready: false,
          restartCount: 1,
          image: 'api',
          imageID: '',
          lastState: { terminated: { exitCode: 1, startedAt: runStarted, finishedAt: runStarted } },
        },
        ...(options.native ? [] : [proxyStatus]),
      ],
      ...(options.native ? { initContainerStatuses: [proxyStatus] } : {}),
    },
  } as Pod;
}

const app = (p: Pod) => containersOf(p).find((v) => v.status.name === 'api')!;

describe('an app whose connections the Istio sidecar does not pass yet', () => {
  it('names the race when the crashed run started with the proxy and nothing holds the app', async () => {
    const p = pod('2026-11-20T03:01:34Z');
    const reading = await meshSidecarReading(CTX, app(p), [REFUSED]);
    expect(reading?.words).toContain('started 1s after the pod');
    expect(reading?.words).toContain('holdApplicationUntilProxyStarts');
  });

  it('says nothing when the run started long after the proxy, or the app is held, or the proxy is native', async () => {
    expect(await meshSidecarReading(CTX, app(pod('2026-11-20T03:09:00Z')), [REFUSED])).toBeNull();
    const held = pod('2026-11-20T03:01:34Z', { annotation: '{ "holdApplicationUntilProxyStarts": true }' });
    expect(await meshSidecarReading(CTX, app(held), [REFUSED])).toBeNull();
    const native = pod('2026-11-20T03:01:34Z', { native: true });
    expect(await meshSidecarReading(CTX, app(native), [REFUSED])).toBeNull();
  });

  it('needs a connection the app could not make', async () => {
    expect(await meshSidecarReading(CTX, app(pod('2026-11-20T03:01:34Z')), ['panic: nil map'])).toBeNull();
  });
});

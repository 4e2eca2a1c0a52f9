import { describe, expect, it } from 'vitest';
import { misaimedProbe } from '../../src/diagnosis/probes.js';
import type { Container } from '../../src/kube/reader.js';

const app: Container = { name: 'api', ports: [{ containerPort: 8083, name: 'grpc' }, { containerPort: 9090 }] };
const REFUSED =
  'Liveness probe failed: Get "http://10.0.0.5:8080/healthz": dial tcp 10.0.0.5:8080: connect: connection refused';

describe('a probe aimed where the app does not answer', () => {
  it('names a refused port the container does not declare, with the ports it does', () => {
    const words = misaimedProbe({ httpGet: { port: 8080, path: '/healthz' } }, app, REFUSED);
    expect(words).toContain('port 8080, which container api does not declare (it declares 8083 (grpc), 9090)');
  });

  it('accepts a declared port by number or by name, and says nothing without declared ports', () => {
    expect(misaimedProbe({ tcpSocket: { port: 9090 } }, app, REFUSED)).toBeNull();
    expect(misaimedProbe({ grpc: { port: 8083 } }, app, REFUSED)).toBeNull();
    expect(misaimedProbe({ httpGet: { port: 'grpc' } }, app, REFUSED)).toBeNull();
    expect(misaimedProbe({ httpGet: { port: 8080 } }, { name: 'api' }, REFUSED)).toBeNull();
  });

  it('says a 404 is a path the app does not serve, and nothing of a 500 or a timeout', () => {
    const probe = { httpGet: { port: 8083, path: '/health/live' } };
    expect(misaimedProbe(probe, app, 'Liveness probe failed: HTTP probe failed with statuscode: 404')).toContain(
      'The app answers 404 to /health/live',
    );
    expect(misaimedProbe(probe, app, 'Liveness probe failed: HTTP probe failed with statuscode: 500')).toBeNull();
    expect(misaimedProbe(probe, app, 'Liveness probe failed: context deadline exceeded')).toBeNull();
  });
});

import { describe, expect, it } from 'vitest';
import { loopbackListenLine, probePort } from '../../src/diagnosis/listen-address.js';
import type { Container } from '../../src/kube/reader.js';

describe('an app listening on the loopback address only', () => {
  it("finds the servers' own wordings on the probed port", () => {
    const lines = [
      'INFO:     Uvicorn running on http://127.0.0.1:8000 (Press CTRL+C to quit)',
      ' * Running on http://127.0.0.1:5000',
      '[2026-11-20 03:03:21 +0000] [1] [INFO] Listening at: http://127.0.0.1:8080 (1)',
      '* Listening on http://[::1]:3000',
    ];
    expect(loopbackListenLine(lines, 8000)).toBe(lines[0]);
    expect(loopbackListenLine(lines, 5000)).toBe(lines[1]);
    expect(loopbackListenLine(lines, 8080)).toBe(lines[2]);
    expect(loopbackListenLine(lines, 3000)).toBe(lines[3]);
  });

  it('ignores "localhost" (often printed while listening everywhere), other ports and other addresses', () => {
    expect(loopbackListenLine(['Server listening on http://localhost:3000'], 3000)).toBeNull();
    expect(loopbackListenLine(['Uvicorn running on http://127.0.0.1:8000'], 9000)).toBeNull();
    expect(loopbackListenLine(['Uvicorn running on http://0.0.0.0:8000'], 8000)).toBeNull();
    expect(loopbackListenLine(['connecting to redis at 127.0.0.1:6379'], 6379)).toBeNull();
  });

  it("resolves a probe's named port through the container's ports", () => {
    const container = { name: 'api', ports: [{ containerPort: 8000, name: 'http' }] } as Container;
    expect(probePort({ httpGet: { port: 'http', path: '/' } }, container)).toBe(8000);
    expect(probePort({ tcpSocket: { port: 9090 } }, container)).toBe(9090);
    expect(probePort({ exec: { command: ['true'] } }, container)).toBeNull();
  });
});

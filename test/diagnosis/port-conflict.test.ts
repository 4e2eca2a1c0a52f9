import { describe, expect, it } from 'vitest';
import { portConflict } from '../../src/diagnosis/port-conflict.js';
import type { Pod } from '../../src/kube/reader.js';

type Container = NonNullable<Pod['spec']>['containers'][number];
const c = (name: string, ...ports: number[]): Container => ({
  name,
  ports: ports.map((containerPort) => ({ containerPort })),
});

function pod(containers: Container[], extra: Partial<NonNullable<Pod['spec']>> = {}): Pod {
  return { metadata: { name: 'web-1', namespace: 'shop' }, spec: { containers, nodeName: 'node-a', ...extra } } as Pod;
}

describe('a port taken inside the pod', () => {
  it('names the other container that declares the port from a Go bind error', () => {
    const found = portConflict(pod([c('web', 8080, 9090), c('proxy', 8080)]), 'web', [
      'starting server',
      'listen tcp :8080: bind: address already in use',
    ]);
    expect(found?.port).toBe(8080);
    expect(found?.evidence).toBe('Container proxy of the same pod also declares containerPort 8080');
    expect(found?.words).toContain('restarting or replacing the pod changes nothing');
  });

  it('finds a native sidecar and takes the port from the declared overlap when the log gives none', () => {
    const found = portConflict(
      pod([c('nc', 8080)], { initContainers: [{ ...c('agent', 8080), restartPolicy: 'Always' }] }),
      'nc',
      ['nc: bind: Address in use'],
    );
    expect(found?.port).toBe(8080);
    expect(found?.evidence).toContain('Container agent');
  });

  it('reads Spring Boot and nginx wording', () => {
    const two = pod([c('app', 8080, 80), c('side', 8080, 80)]);
    expect(portConflict(two, 'app', ['Web server failed to start. Port 8080 was already in use.'])?.port).toBe(8080);
    expect(
      portConflict(two, 'app', ['nginx: [emerg] bind() to 0.0.0.0:80 failed (98: Address already in use)'])?.port,
    ).toBe(80);
  });

  it('points at the node for a hostNetwork pod, and says nothing for a lone container or a log without a bind error', () => {
    const host = portConflict(pod([c('exporter', 9100)], { hostNetwork: true }), 'exporter', [
      'listen tcp 0.0.0.0:9100: bind: address already in use',
    ]);
    expect(host?.words).toContain('hostNetwork: true');
    expect(host?.words).toContain('node node-a holds port 9100');
    expect(portConflict(pod([c('web', 8080)]), 'web', ['listen tcp :8080: bind: address already in use'])).toBeNull();
    expect(portConflict(pod([c('web', 8080), c('proxy', 8080)]), 'web', ['panic: config missing'])).toBeNull();
  });
});

import { describe, expect, it } from 'vitest';
import { narrowPortRange, processLimit } from '../../src/diagnosis/process-limits.js';
import type { Container, Pod } from '../../src/kube/reader.js';

const pod = (container: Partial<Container> = {}, sysctl?: string): Pod =>
  ({
    metadata: { name: 'geo-1', namespace: 'hotel' },
    spec: {
      containers: [{ name: 'geo', ...container }],
      ...(sysctl ? { securityContext: { sysctls: [{ name: 'net.ipv4.ip_local_port_range', value: sysctl }] } } : {}),
    },
  }) as Pod;

describe('a process limit a crash log shows', () => {
  it('names a ulimit -n in the command, else the runtime limit, for too many open files', () => {
    const line = ['2026/12/06 accept tcp [::]:8083: accept4: too many open files; retrying in 1s'];
    expect(processLimit(pod({ command: ['sh', '-c'], args: ['ulimit -n 1024 && exec geo'] }), 'geo', line)).toContain(
      'sets their limit to 1024 (ulimit -n 1024)',
    );
    expect(processLimit(pod(), 'geo', ['java.net.SocketException: Too many open files'])).toContain(
      "the container runtime's open-file limit",
    );
  });

  it('tells a narrow local port range, port exhaustion and a bind to a foreign address apart', () => {
    const dial = ['dial tcp 10.96.12.7:8082: connect: cannot assign requested address'];
    expect(processLimit(pod({}, '32000 32003'), 'geo', dial)).toContain('4 local port(s)');
    expect(processLimit(pod(), 'geo', dial)).toContain('Reuse connections');
    expect(processLimit(pod(), 'geo', ['listen tcp 10.0.0.5:8080: bind: cannot assign requested address'])).toContain(
      'listens on an address pod geo-1 does not have',
    );
    expect(processLimit(pod(), 'geo', ['connection refused'])).toBeNull();
  });

  it('calls only a range far below the default narrow', () => {
    expect(narrowPortRange(pod({}, '32000 32003'))).toContain('4 local port(s)');
    expect(narrowPortRange(pod({}, '1024 65535'))).toBeNull();
    expect(narrowPortRange(pod())).toBeNull();
  });
});

describe('a process that cannot start more threads', () => {
  it("names the pod's PID limit for the JVM's, Go's, Python's and a shell's wordings", () => {
    for (const line of [
      '[0.112s][warning][os,thread] Failed to start thread "Unknown thread" - pthread_create failed (EAGAIN)',
      'java.lang.OutOfMemoryError: unable to create native thread: possibly out of memory or process/resource limits reached',
      'runtime: failed to create new OS thread (have 1024 already; errno=11)',
      "RuntimeError: can't start new thread",
      '/entrypoint.sh: fork: retry: Resource temporarily unavailable',
    ]) {
      expect(processLimit(pod(), 'geo', [line])).toContain('podPidsLimit');
    }
  });
});

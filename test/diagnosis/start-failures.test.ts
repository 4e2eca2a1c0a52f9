import { describe, expect, it } from 'vitest';
import {
  cpuFeatureFailure,
  createErrorReading,
  startFailure,
  subPathMountFailure,
} from '../../src/diagnosis/start-failures.js';
import type { Container, Pod } from '../../src/kube/reader.js';
import { scenarioDiagnoser } from '../playbooks/diagnose-scenario.js';

const diagnoseScenario = scenarioDiagnoser();

const RUNC =
  'failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: ';

describe('a container that never ran its program', () => {
  it('reads the runtime: not in PATH, missing file, not executable', () => {
    const path = startFailure(
      'StartError',
      `${RUNC}exec: "geo": executable file not found in $PATH: unknown`,
      [],
      ['geo'],
      undefined,
    );
    expect(path?.meaning).toBe('the runtime could not start it: "geo" is not in the image\'s PATH');
    expect(path?.advice).toContain('command ["geo"] names a program the image does not have');
    const missing = startFailure(
      'StartError',
      `${RUNC}exec: "/srv/app": stat /srv/app: no such file or directory: unknown`,
      [],
      undefined,
      undefined,
    );
    expect(missing?.meaning).toContain('"/srv/app" does not exist in the image');
    const denied = startFailure(
      'StartError',
      `${RUNC}exec: "/scripts/run.sh": permission denied: unknown`,
      [],
      undefined,
      undefined,
    );
    expect(denied?.meaning).toContain('"/scripts/run.sh" is not executable');
    expect(denied?.advice).toContain('defaultMode 0755');
  });

  it("names the node's architecture for an exec format error in the log, old and new runc wording", () => {
    for (const line of [
      'exec /app/server: exec format error',
      'standard_init_linux.go:228: exec user process caused: exec format error',
    ]) {
      const wrong = startFailure('Error', undefined, [line], undefined, 'amd64');
      expect(wrong?.meaning).toContain("another CPU architecture than its node's (amd64)");
      expect(wrong?.advice).toContain('build or pull the image for amd64');
    }
  });

  it('tells a missing interpreter, quotes other start errors, and says nothing of an ordinary crash', () => {
    expect(
      startFailure('Error', undefined, ['exec /docker-entrypoint.sh: no such file or directory'], undefined, undefined)
        ?.advice,
    ).toContain('#! line');
    expect(
      startFailure(
        'StartError',
        `${RUNC}error during container init: error mounting "/x" to rootfs: not a directory: unknown`,
        [],
        undefined,
        undefined,
      )?.meaning,
    ).toBe(
      'the runtime could not start it (StartError: error during container init: error mounting "/x" to rootfs: not a directory: unknown)',
    );
    expect(
      startFailure(
        'Error',
        undefined,
        ['FATAL config: DATABASE_URL is not set', 'open /etc/app.yaml: no such file or directory'],
        undefined,
        undefined,
      ),
    ).toBeNull();
  });
});

describe('an app that logs its own subprocess failure', () => {
  it('is not a start failure of the container', () => {
    expect(
      startFailure(
        'Error',
        undefined,
        ['backup failed: exec: "pg_dump": executable file not found in $PATH'],
        undefined,
        undefined,
      ),
    ).toBeNull();
  });
});

describe('a subPath mount runc refused', () => {
  const MESSAGE =
    'failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: error during container init: error mounting "/var/lib/kubelet/pods/2f4e/volume-subpaths/config/nginx/0" to rootfs at "/etc/nginx/nginx.conf": mount /var/lib/kubelet/pods/2f4e/volume-subpaths/config/nginx/0:/etc/nginx/nginx.conf (via /proc/self/fd/6), flags: 0x5001: not a directory: unknown: Are you trying to mount a directory onto a file (or vice-versa)? Check if the specified host path exists and is the expected type';
  const container = {
    name: 'nginx',
    volumeMounts: [{ name: 'config', mountPath: '/etc/nginx/nginx.conf', subPath: 'nginx' }],
  } as Container;
  const pod = (volume: Record<string, unknown>) =>
    ({
      metadata: { name: 'gw', namespace: 'edge' },
      spec: { containers: [container], volumes: [{ name: 'config', ...volume }] },
    }) as Pod;

  it('names the ConfigMap key the subPath does not find, and the file it meets', () => {
    const found = subPathMountFailure(pod({ configMap: { name: 'gateway-nginx' } }), container, MESSAGE);
    expect(found?.meaning).toContain('could not mount volume config (subPath nginx) at /etc/nginx/nginx.conf');
    expect(found?.advice).toContain(
      'a subPath that names no key of ConfigMap gateway-nginx is created as an empty directory',
    );
  });

  it('says a directory met a file for another kind of volume, and nothing for other start errors', () => {
    expect(subPathMountFailure(pod({ emptyDir: {} }), container, MESSAGE)?.advice).toContain('not the same kind');
    expect(
      subPathMountFailure(pod({ emptyDir: {} }), container, 'exec: "geo": executable file not found in $PATH'),
    ).toBeNull();
  });
});

describe('a program the node’s CPU cannot run', () => {
  it('names the feature the program asks for and what the node’s labels say', () => {
    const lines = [
      'WARNING: MongoDB 5.0+ requires a CPU with AVX support, and your current system does not appear to have that!',
      '/usr/local/bin/docker-entrypoint.sh: line 416:    27 Illegal instruction     (core dumped) "mongod" --fork',
    ];
    const words = cpuFeatureFailure(lines, {
      name: 'pve-node-1',
      labels: { 'feature.node.kubernetes.io/cpu-cpuid.SSE42': 'true' },
    });
    expect(words).toContain('CPU AVX instructions that the processor of node pve-node-1 does not have');
    expect(words).toContain('labels do not list cpu-cpuid.AVX');
    expect(cpuFeatureFailure(['Illegal instruction (core dumped)'], null)).toContain('AVX, AVX2, SSE4.2');
    expect(cpuFeatureFailure(['panic: runtime error'], null)).toBeNull();
  });
});

describe('a failing postStart hook', () => {
  it('is the hook the kubelet killed the container for, not a SIGKILL of the app', () => {
    const message =
      'Exec lifecycle hook ([/bin/sh -c /app/bin/register.sh]) for Container "api" in Pod "api-1_ns(uid)" failed - error: command \'/bin/sh -c /app/bin/register.sh\' exited with 127: /bin/sh: /app/bin/register.sh: not found\n, message: "/bin/sh: /app/bin/register.sh: not found\\n"';
    const found = startFailure('PostStartHookError', message, [], undefined, undefined);
    expect(found?.meaning).toContain('its postStart hook failed (command [/bin/sh -c /app/bin/register.sh]');
    expect(found?.meaning).toContain('exited with 127');
    expect(found?.advice).toContain('lifecycle.postStart');
    const http = startFailure(
      'PostStartHookError',
      'HTTP lifecycle hook (/warmup) for Container "api" in Pod "api-1_ns(uid)" failed - error: Get "http://10.0.0.1:8080/warmup": dial tcp 10.0.0.1:8080: connect: connection refused, message: ""',
      [],
      undefined,
      undefined,
    );
    expect(http?.meaning).toContain('HTTP GET /warmup');
  });
});

describe("the kubelet's refusal to create a container", () => {
  it('reads runAsNonRoot against a root image and against a named user', () => {
    expect(
      createErrorReading('container has runAsNonRoot and image will run as root (pod: "x", container: api)'),
    ).toContain('set securityContext.runAsUser to a non-zero UID');
    expect(
      createErrorReading(
        'container has runAsNonRoot and image has non-numeric user (appuser), cannot verify user is non-root (pod: "x", container: api)',
      ),
    ).toContain("set securityContext.runAsUser to that user's numeric UID");
    expect(createErrorReading('configmap "app-config" not found')).toBeNull();
    expect(
      createErrorReading(
        'failed to create containerd container: error unpacking image: failed to extract layer sha256:1f: write /var/lib/containerd/x: no space left on device: unknown',
        'worker-4',
      ),
    ).toContain('the disk of node worker-4 that holds images');
    expect(createErrorReading('context deadline exceeded', 'worker-4')).toContain(
      'the container runtime on node worker-4',
    );
  });

  it("reads containerd's reserved name: an earlier, timed-out creation still running on the node", () => {
    const reading = createErrorReading(
      'failed to reserve container name "api_web-1_prod_0d1e_0": name "api_web-1_prod_0d1e_0" is reserved for "6b1f0a2c9d8e"',
      'worker-3',
    );
    expect(reading).toContain('the container runtime on node worker-3 is still creating the container');
    expect(reading).toContain('the pod, whose spec is not at fault');
  });

  it('says the reading instead of pointing at the message in UNKNOWN', async () => {
    const d = await diagnoseScenario('test/scenarios/create-container-error-name-reserved-slow-runtime');
    expect(d.rootCause.code).toBe('UNKNOWN');
    expect(d.rootCause.summary).toContain('is still creating the container from an earlier attempt that timed out');
    expect(d.rootCause.summary).toMatch(/Medic proposes nothing\.$/);
    expect(d.actions).toEqual([]);
  });
});

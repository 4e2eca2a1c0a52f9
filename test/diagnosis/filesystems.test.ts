import { describe, expect, it } from 'vitest';
import { filesystemLimit } from '../../src/diagnosis/filesystems.js';
import type { Pod } from '../../src/kube/reader.js';

function pod(extra: { mountShm?: { sizeLimit?: string }; readOnly?: boolean } = {}): Pod {
  return {
    metadata: { name: 'db-0', namespace: 'data' },
    spec: {
      containers: [
        {
          name: 'postgres',
          ...(extra.readOnly ? { securityContext: { readOnlyRootFilesystem: true } } : {}),
          volumeMounts: extra.mountShm ? [{ name: 'dshm', mountPath: '/dev/shm' }] : [],
        },
      ],
      volumes: extra.mountShm ? [{ name: 'dshm', emptyDir: { medium: 'Memory', ...extra.mountShm } }] : [],
    },
  } as Pod;
}

const PG_SHM =
  'ERROR:  could not resize shared memory segment "/PostgreSQL.1437408526" to 8388608 bytes: No space left on device';

describe('a crash on a filesystem the pod spec limits', () => {
  it("names the runtime's 64 MiB /dev/shm when no memory emptyDir is mounted there (PostgreSQL's wording)", () => {
    expect(filesystemLimit(pod(), 'postgres', [PG_SHM])).toContain("the container runtime's default of 64 MiB");
  });

  it('names the sizeLimit of a memory emptyDir that is too small', () => {
    expect(filesystemLimit(pod({ mountShm: { sizeLimit: '128Mi' } }), 'postgres', [PG_SHM])).toContain(
      'emptyDir dshm (medium Memory, sizeLimit 128Mi)',
    );
  });

  it('names readOnlyRootFilesystem only when the container has it', () => {
    const line = "mkdir: can't create directory '/var/cache/app': Read-only file system";
    expect(filesystemLimit(pod({ readOnly: true }), 'postgres', [line])).toContain('readOnlyRootFilesystem: true');
    expect(filesystemLimit(pod(), 'postgres', [line])).toBeNull();
  });

  it('says nothing of a full disk elsewhere', () => {
    expect(
      filesystemLimit(pod(), 'postgres', ['could not write to file "pg_wal/xlogtemp.42": No space left on device']),
    ).toBeNull();
  });
});

describe('a path on a volume or in the image refused to the container', () => {
  type Volume = Record<string, unknown>;
  function withVolume(volume: Volume, opts: { uid?: number; fsGroup?: number; readOnly?: boolean } = {}): Pod {
    return {
      metadata: { name: 'db-0', namespace: 'data' },
      spec: {
        securityContext: opts.fsGroup === undefined ? {} : { fsGroup: opts.fsGroup },
        containers: [
          {
            name: 'postgres',
            securityContext: opts.uid === undefined ? {} : { runAsUser: opts.uid },
            volumeMounts: [
              { name: 'data', mountPath: '/var/lib/postgresql', readOnly: opts.readOnly },
              { name: 'conf', mountPath: '/etc/postgresql' },
            ],
          },
        ],
        volumes: [
          { name: 'data', ...volume },
          { name: 'conf', configMap: { name: 'pg-conf' } },
        ],
      },
    } as Pod;
  }
  const claim = { persistentVolumeClaim: { claimName: 'data-db-0' } };
  const denied = "mkdir: cannot create directory '/var/lib/postgresql/data/pgdata': Permission denied";

  it('names the claim, the user and the missing fsGroup', () => {
    const words = filesystemLimit(withVolume(claim, { uid: 999 }), 'postgres', [denied]) ?? '';
    expect(words).toContain('volume data (claim data-db-0), mounted at /var/lib/postgresql');
    expect(words).toContain('runs as user 999 (runAsUser) and the pod sets no securityContext.fsGroup');
  });

  it('says the files keep another owner when fsGroup is set, and that hostPath ignores fsGroup', () => {
    expect(filesystemLimit(withVolume(claim, { uid: 999, fsGroup: 999 }), 'postgres', [denied])).toContain(
      'although the pod sets fsGroup 999',
    );
    const hostPath = { hostPath: { path: '/mnt/pg' } };
    expect(filesystemLimit(withVolume(hostPath, { uid: 999 }), 'postgres', [denied])).toContain(
      'fsGroup never changes them',
    );
  });

  it('claims nothing for a container that may run as root, or for an emptyDir', () => {
    expect(filesystemLimit(withVolume(claim), 'postgres', [denied])).toBeNull();
    expect(filesystemLimit(withVolume({ emptyDir: {} }, { uid: 999 }), 'postgres', [denied])).toBeNull();
  });

  it('names a ConfigMap volume and a readOnly mount as read-only, whoever runs', () => {
    const line = '/docker-entrypoint.sh: line 9: /etc/postgresql/postgresql.conf: Read-only file system';
    expect(filesystemLimit(withVolume(claim), 'postgres', [line])).toContain(
      'a ConfigMap volume, which the kubelet always mounts read-only',
    );
    const write = 'could not write file "/var/lib/postgresql/data/pg_wal/x": Read-only file system';
    expect(filesystemLimit(withVolume(claim, { readOnly: true }), 'postgres', [write])).toContain(
      'with readOnly: true',
    );
  });

  it("names an image path refused to the pod's runAsUser", () => {
    const line = "PermissionError: [Errno 13] Permission denied: '/app/logs/worker.log'";
    expect(filesystemLimit(withVolume(claim, { uid: 1000650000 }), 'postgres', [line])).toContain(
      "/app/logs/worker.log is in the image's own filesystem, not on a volume, and is refused to user 1000650000",
    );
    expect(filesystemLimit(withVolume(claim), 'postgres', [line])).toBeNull();
  });
});

describe('a refused read on a read-only volume', () => {
  it('is not called a write to a read-only volume', () => {
    const pod = {
      metadata: { name: 'api-1', namespace: 'shop' },
      spec: {
        securityContext: {},
        containers: [
          {
            name: 'api',
            securityContext: { runAsUser: 1000 },
            volumeMounts: [
              { name: 'token', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', readOnly: true },
            ],
          },
        ],
        volumes: [{ name: 'token', projected: { sources: [{ serviceAccountToken: { path: 'token' } }] } }],
      },
    } as Pod;
    const line = 'open /var/run/secrets/kubernetes.io/serviceaccount/token: permission denied';
    expect(filesystemLimit(pod, 'api', [line])).toBeNull();
  });
});

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

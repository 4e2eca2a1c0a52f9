import { describe, expect, it } from 'vitest';
import { eachObject, scenarioDiagnoser, textOf } from './diagnose-scenario.js';

const DIR = 'test/scenarios/crashloop-postgres-wal-claim-full';
const diagnose = scenarioDiagnoser();

/** The scenario with the postgres container's previous log replaced by `line`. */
const lastLog = (line: string) =>
  eachObject((o) => {
    if (o.kind === 'PodLogs') o.previous = { postgres: `LOG:  starting PostgreSQL 16.4\n${line}\n` };
  });

describe('a crash loop on a full claim', () => {
  it('is VOLUME_FULL with a resize, for certain when the line names a path on the claim', async () => {
    const d = await diagnose(
      DIR,
      lastLog(
        'PANIC:  could not write to file "/var/lib/postgresql/data/pgdata/pg_wal/xlogtemp.29": No space left on device',
      ),
    );
    expect(d.rootCause).toMatchObject({ code: 'VOLUME_FULL', confidence: 'high' });
    expect(d.actions.map((a) => a.kind)).toEqual(['resize-pvc']);
    expect(textOf(d)).toContain('is on claim orders-db-data, mounted at /var/lib/postgresql/data');
  });

  it('is not VOLUME_FULL when the full path is elsewhere, or the full space is /dev/shm', async () => {
    const tmp = await diagnose(DIR, lastLog('ERROR: write /tmp/import/chunk-7.csv: No space left on device'));
    expect(tmp.rootCause.code).toBe('CRASHLOOP_APP_ERROR');
    const top = await diagnose(DIR, lastLog('ERROR: could not extend file "/tmp": No space left on device'));
    expect(top.rootCause.code).toBe('CRASHLOOP_APP_ERROR');
    const shm = await diagnose(
      DIR,
      lastLog(
        'FATAL:  could not resize shared memory segment "/PostgreSQL.1437408526" to 8388608 bytes: No space left on device',
      ),
    );
    expect(shm.rootCause.code).toBe('CRASHLOOP_APP_ERROR');
  });

  it('does not guess between two claims for a line without a path', async () => {
    const d = await diagnose(DIR, (objects) => {
      const edited = lastLog('FATAL:  could not write to file "pg_wal/xlogtemp.29": No space left on device')(objects);
      for (const o of edited) {
        const spec =
          o.kind === 'Pod' ? o.spec : o.kind === 'Deployment' || o.kind === 'ReplicaSet' ? o.spec.template.spec : null;
        if (!spec) continue;
        spec.volumes.push({ name: 'wal', persistentVolumeClaim: { claimName: 'orders-db-wal' } });
        spec.containers[0].volumeMounts.push({ name: 'wal', mountPath: '/var/lib/postgresql/wal' });
      }
      return edited;
    });
    expect(d.rootCause.code).toBe('CRASHLOOP_APP_ERROR');
  });

  it('proposes no resize when the class does not allow expansion', async () => {
    const d = await diagnose(
      DIR,
      eachObject((o) => {
        if (o.kind === 'StorageClass') o.allowVolumeExpansion = false;
      }),
    );
    expect(d.rootCause.code).toBe('VOLUME_FULL');
    expect(d.actions).toEqual([]);
    expect(d.rootCause.summary).toContain('StorageClass gp3 does not allow expansion');
  });
});

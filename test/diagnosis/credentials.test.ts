import { describe, expect, it } from 'vitest';
import { rejectedCredentials } from '../../src/diagnosis/credentials.js';
import type { Container, Pod } from '../../src/kube/reader.js';

function pod(container: Partial<Container>, volumes: NonNullable<Pod['spec']>['volumes'] = []): Pod {
  return {
    metadata: { name: 'api-1', namespace: 'shop' },
    spec: { containers: [{ name: 'api', ...container }], volumes },
  } as Pod;
}

describe('a server rejecting a crash-looping container’s credentials', () => {
  it('names the Secret behind the env var and says a restart reads it afresh (PostgreSQL via pgx)', () => {
    const line =
      'failed to connect to `user=shop database=shop`: 10.0.0.9:5432 (db): failed SASL auth: FATAL: password authentication failed for user "shop" (SQLSTATE 28P01)';
    const p = pod({
      env: [{ name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'db-creds', key: 'password' } } }],
    });
    const words = rejectedCredentials(p, 'api', [line]);
    expect(words).toContain('the PostgreSQL server rejects the credentials of container api (user shop)');
    expect(words).toContain('Secret db-creds (env DB_PASSWORD, key password)');
    expect(words).toContain('reads again for every container it starts');
  });

  it('names envFrom and a mounted Secret volume (MySQL, Redis wordings)', () => {
    const p = pod(
      { envFrom: [{ secretRef: { name: 'app-env' } }], volumeMounts: [{ name: 'creds', mountPath: '/etc/creds' }] },
      [{ name: 'creds', secret: { secretName: 'redis-auth' } }],
    );
    const mysql = rejectedCredentials(p, 'api', [
      "ERROR 1045 (28000): Access denied for user 'app'@'10.1.2.3' (using password: YES)",
    ]);
    expect(mysql).toContain('the MySQL server rejects the credentials of container api (user app)');
    expect(mysql).toContain('Secret app-env (envFrom), Secret redis-auth (volume creds at /etc/creds)');
    expect(
      rejectedCredentials(p, 'api', ['ReplyError: WRONGPASS invalid username-password pair or user is disabled.']),
    ).toContain('the Redis server rejects');
  });

  it('names literal credential env vars when no Secret is used, without printing their values', () => {
    const p = pod({
      env: [
        { name: 'MONGO_PASSWORD', value: 'hunter2' },
        { name: 'PORT', value: '8080' },
      ],
    });
    const words = rejectedCredentials(p, 'api', ['MongoServerError: Authentication failed. (AuthenticationFailed)']);
    expect(words).toContain('env MONGO_PASSWORD set as literal values in the pod spec');
    expect(words).not.toContain('hunter2');
    expect(words).not.toContain('PORT');
  });

  it('for a container running since before a rotation, says its environment holds the old value', () => {
    const p = pod({
      env: [{ name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'db-creds', key: 'password' } } }],
    });
    const words = rejectedCredentials(
      p,
      'api',
      ['FATAL: password authentication failed for user "shop"'],
      '2026-12-04T11:00:07Z',
    );
    expect(words).toContain('read once, when the container started (2026-12-04T11:00:07Z), and never refreshed');
    expect(words).not.toContain('restarting pods changes nothing');
  });

  it('reads nothing into other failures', () => {
    expect(rejectedCredentials(pod({}), 'api', ['dial tcp 10.0.0.9:5432: connect: connection refused'])).toBeNull();
  });
});

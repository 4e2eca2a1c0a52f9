/**
 * Alerts from a server's standalone exporter (src/diagnosis/exporter-targets.ts): the server it connects to, read
 * from its configuration, is the target (test/scenarios/postgres-down-alert-from-standalone-exporter).
 */
import { describe, expect, it } from 'vitest';
import { scrapedServer } from '../../src/diagnosis/exporter-targets.js';
import { hostOf, serviceOfHost } from '../../src/diagnosis/service-hosts.js';
import type { Container, Pod } from '../../src/kube/reader.js';
import { eachObject, scenarioDiagnoser } from '../playbooks/diagnose-scenario.js';

const DIR = 'test/scenarios/postgres-down-alert-from-standalone-exporter';
const diagnoseScenario = scenarioDiagnoser();

const exporterPod = (container: Partial<Container>, extra: Container[] = []): Pod => ({
  metadata: { name: 'x-exporter-1', namespace: 'cache' },
  spec: { containers: [{ name: 'exporter', image: 'oliver006/redis_exporter:v1.62.0', ...container }, ...extra] },
});

describe('the server an exporter scrapes', () => {
  it('names the Service an in-cluster host name names', () => {
    expect(serviceOfHost('redis-master', 'cache')).toEqual({ namespace: 'cache', name: 'redis-master' });
    expect(serviceOfHost('pg-main.db', 'cache')).toEqual({ namespace: 'db', name: 'pg-main' });
    expect(serviceOfHost('pg-main.db.svc.cluster.local', 'cache')).toEqual({ namespace: 'db', name: 'pg-main' });
    expect(serviceOfHost('redis-node-0.redis-headless.cache.svc.cluster.local', 'x')).toEqual({
      namespace: 'cache',
      name: 'redis-headless',
    });
    expect(serviceOfHost('orders.cluster-abc.eu-west-1.rds.amazonaws.com', 'db')).toBeNull();
    expect(serviceOfHost('10.96.41.12', 'db')).toBeNull();
  });

  it('reads only .svc names when no namespace is known (a probed URL, a webhook URL)', () => {
    expect(hostOf('http://checkout.shop.svc.cluster.local:8080/healthz')).toBe('checkout.shop.svc.cluster.local');
    expect(hostOf('checkout.shop.svc:443')).toBe('checkout.shop.svc');
    expect(serviceOfHost('checkout.shop.svc.cluster.local.')).toEqual({ namespace: 'shop', name: 'checkout' });
    expect(serviceOfHost('pg-main.db')).toBeNull();
    expect(serviceOfHost('example.com')).toBeNull();
  });

  it("reads the exporters' own settings: URLs, host:port, a MySQL DSN, libpq key=value", () => {
    const addr = (c: Partial<Container>) => scrapedServer(exporterPod(c))?.address;
    expect(addr({ args: ['--redis.addr=redis://redis-master.cache:6379'] })).toBe('redis-master.cache:6379');
    expect(addr({ env: [{ name: 'REDIS_ADDR', value: 'redis-master:6379' }] })).toBe('redis-master:6379');
    expect(addr({ env: [{ name: 'DATA_SOURCE_NAME', value: 'exporter:pw@(mysql-primary.db:3306)/' }] })).toBe(
      'mysql-primary.db:3306',
    );
    expect(addr({ env: [{ name: 'DATA_SOURCE_NAME', value: 'host=pg-main port=5432 user=x sslmode=disable' }] })).toBe(
      'pg-main:5432',
    );
    expect(addr({ args: ['--kafka.server=kafka-broker.streams.svc:9092'] })).toBe('kafka-broker.streams.svc:9092');
    // A sidecar exporter reads its server on localhost: nothing to follow.
    expect(addr({ env: [{ name: 'REDIS_ADDR', value: 'redis://localhost:6379' }] })).toBeUndefined();
  });

  it('is only for pods that run nothing but the exporter', () => {
    const withApp = exporterPod({ args: ['--redis.addr=redis://redis-master:6379'] }, [
      { name: 'redis', image: 'redis:7.2' },
    ]);
    expect(scrapedServer(withApp)).toBeNull();
    const meshed = exporterPod({ args: ['--redis.addr=redis://redis-master:6379'] }, [
      { name: 'istio-proxy', image: 'docker.io/istio/proxyv2:1.22.0' },
    ]);
    expect(scrapedServer(meshed)?.service).toEqual({ namespace: 'cache', name: 'redis-master' });
  });
});

describe('an alert from a standalone exporter', () => {
  it("diagnoses the server's Service and says how it got there", async () => {
    const d = await diagnoseScenario(DIR);
    expect(d.target).toMatchObject({ kind: 'Service', namespace: 'db', name: 'pg-main' });
    expect(d.rootCause.code).toBe('OOM_LIMIT');
    expect(d.evidence[0]?.text).toContain(
      'The alert comes from exporter pod db/postgres-exporter-5c9d7f8b6-w7x2k (quay.io/prometheuscommunity/postgres-exporter:v0.15.0)',
    );
    expect(d.actions.map((a) => a.kind)).toEqual(['set-memory-limit']);
  });

  it('stays on the exporter when its server is outside the cluster, saying so', async () => {
    const rds = eachObject((o) => {
      for (const c of o.spec?.containers ?? o.spec?.template?.spec?.containers ?? [])
        for (const e of c.env ?? [])
          if (e.name === 'DATA_SOURCE_URI') e.value = 'orders.cluster-abc.eu-west-1.rds.amazonaws.com:5432/postgres';
    });
    const d = await diagnoseScenario(DIR, rds);
    expect(d.target).toMatchObject({ kind: 'Pod', name: 'postgres-exporter-5c9d7f8b6-w7x2k' });
    expect(d.evidence[0]?.text).toContain('not a Service Medic can find in the cluster');
  });

  it('stays on an exporter that is not ready itself', async () => {
    const failing = eachObject((o) => {
      if (o.kind === 'Pod' && o.metadata.name.startsWith('postgres-exporter'))
        for (const c of o.status.conditions ?? []) if (c.type === 'Ready') c.status = 'False';
    });
    const d = await diagnoseScenario(DIR, failing);
    expect(d.target).toMatchObject({ kind: 'Pod', name: 'postgres-exporter-5c9d7f8b6-w7x2k' });
  });

  it("keeps a kubernetes-mixin rule about the exporter's own pod on that pod", async () => {
    const d = await diagnoseScenario(DIR, undefined, (e) => {
      e.alert.labels = {
        alertname: 'KubePodCrashLooping',
        namespace: 'db',
        pod: 'postgres-exporter-5c9d7f8b6-w7x2k',
        container: 'prometheus-postgres-exporter',
        job: 'kube-state-metrics',
      };
    });
    expect(d.target).toMatchObject({ kind: 'Pod', name: 'postgres-exporter-5c9d7f8b6-w7x2k' });
  });
});

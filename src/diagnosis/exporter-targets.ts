/**
 * Exporters of one server (postgres_exporter, mysqld_exporter, redis_exporter, …) deployed in pods of their own
 * report about the server they connect to: an alert from their scrape (PostgresqlDown, RedisDown) names the
 * exporter's pod, but is about that server. Which server is read from the exporter's own configuration (literal
 * env values and arguments: DATA_SOURCE_URI, DATA_SOURCE_NAME, REDIS_ADDR, --es.uri, --kafka.server, …); an
 * in-cluster host name (`svc`, `svc.ns`, `svc.ns.svc.cluster.local`, a headless service's pod name) names a Service.
 * Exporters scraped as sidecars in the server's own pod need none of this: the alert's pod is the server's.
 */
import type { Container, Pod } from '../kube/reader.js';
import { injectorFor } from './injected-sidecars.js';
import { podName } from './pods.js';
import { serviceOfHost } from './service-hosts.js';

const SERVICE_EXPORTER =
  /(postgres|mysqld|redis|mongodb|elasticsearch|kafka|rabbitmq|memcached|pgbouncer|zookeeper|nats|clickhouse|couchbase|cassandra|oracledb|mssql|minio|solr|druid)[-_]?exporter/i;

/** Whether the container is an exporter of one server (by its image, or its name when the image says nothing). */
const isExporter = (c: Container) => SERVICE_EXPORTER.test(c.image ?? '') || SERVICE_EXPORTER.test(c.name);

/** A pod that runs nothing but a server's exporter (injected mesh or agent sidecars aside). */
export function exporterContainer(pod: Pod): Container | null {
  const own = (pod.spec?.containers ?? []).filter((c) => injectorFor(c.name) === null);
  return own.length > 0 && own.every(isExporter) ? (own[0] ?? null) : null;
}

/** Where an address string points: `host` and `port` from a URL, a Go MySQL DSN, libpq key=value or host:port. */
function addressesIn(text: string): { host: string; port?: string }[] {
  const found: { host: string; port?: string }[] = [];
  const add = (host: string | undefined, port?: string) => {
    if (host) found.push({ host: host.toLowerCase(), ...(port ? { port } : {}) });
  };
  for (const m of text.matchAll(/[a-z][a-z0-9+.-]*:\/\/(?:[^@/\s]*@)?([a-z0-9.-]+)(?::(\d+))?/gi)) add(m[1], m[2]);
  for (const m of text.matchAll(/@(?:tcp)?\(([a-z0-9.-]+)(?::(\d+))?\)/gi)) add(m[1], m[2]);
  for (const m of text.matchAll(/\bhost=([a-z0-9.-]+)(?:.*?\bport=(\d+))?/gi)) add(m[1], m[2]);
  const bare = /^(?:[^=\s]+=)?([a-z0-9][a-z0-9.-]*):(\d{2,5})(?:[/?,]|$)/i.exec(text.trim());
  if (bare && !text.includes('://')) add(bare[1], bare[2]);
  return found;
}

/** What the exporter pod scrapes: the address as written and the Service it names (null when it names none). */
export interface ScrapedServer {
  exporter: { pod: string; image: string };
  address: string;
  service: { namespace: string; name: string } | null;
}

export function scrapedServer(pod: Pod): ScrapedServer | null {
  const exporter = exporterContainer(pod);
  if (!exporter) return null;
  const namespace = pod.metadata?.namespace ?? 'default';
  const texts = [
    ...(exporter.env ?? []).map((e) => e.value ?? ''),
    ...(exporter.args ?? []),
    ...(exporter.command ?? []),
  ].filter((t) => t !== '');
  for (const text of texts) {
    for (const { host, port } of addressesIn(text)) {
      if (host === 'localhost' || host.startsWith('127.')) continue;
      return {
        exporter: { pod: podName(pod), image: exporter.image ?? exporter.name },
        address: port ? `${host}:${port}` : host,
        service: serviceOfHost(host, namespace),
      };
    }
  }
  return null;
}

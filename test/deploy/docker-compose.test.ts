import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from '../../src/config/load.js';
import { ROOT } from './render.js';

/**
 * docker-compose.yml cannot run here (no Docker); this keeps it consistent with the code instead: the
 * commands are real `medic serve` roles, ports match PORT's default and Redis/Alertmanager's, and the
 * services reach each other by the names the environment uses.
 */
// MEDIC_COMPOSE_FILE: check another compose file (e.g. a user's variant) against the code.
const composeFile = process.env.MEDIC_COMPOSE_FILE ?? join(ROOT, 'docker-compose.yml');
const hasCompose = existsSync(composeFile);
const compose = hasCompose ? parse(readFileSync(composeFile, 'utf8')) : { services: {} };
const services: Record<string, any> = compose.services ?? {};

/** `medic serve` roles, from the MedicRole type of the composition root. */
function serveRoles(): string[] {
  const text = readFileSync(join(ROOT, 'src/main.ts'), 'utf8');
  const union = /export type MedicRole = ([^;]+);/.exec(text)?.[1] ?? '';
  return [...union.matchAll(/'(\w+)'/g)].map((m) => m[1] as string);
}

const words = (value: unknown): string[] =>
  Array.isArray(value) ? value.map(String) : typeof value === 'string' ? value.split(/\s+/).filter(Boolean) : [];

/** Services running Medic: their command or entrypoint says `serve`. */
const medicServices = Object.entries(services).filter(([, s]) =>
  [...words(s.entrypoint), ...words(s.command)].includes('serve'),
);

/** Compose interpolation with nothing set in the shell: `${VAR:-default}` → default, `${VAR}` → empty. */
const interpolate = (value: string) => value.replace(/\$\{\w+(?::?-([^}]*))?\}/g, (_m, fallback) => fallback ?? '');

function environment(service: any): Record<string, string> {
  const env = service.environment ?? {};
  const pairs: [string, string][] = Array.isArray(env)
    ? env.map((entry: string) => {
        const at = entry.indexOf('=');
        return at < 0 ? [entry, ''] : [entry.slice(0, at), entry.slice(at + 1)];
      })
    : Object.entries(env).map(([k, v]) => [k, String(v ?? '')]);
  return Object.fromEntries(pairs.map(([k, v]) => [k, interpolate(v)]));
}

/** Container ports a service publishes (`"3000:3000"`, `"127.0.0.1:9093:9093"`, `{target: 3000}`). */
function containerPorts(service: any): number[] {
  return (service.ports ?? []).map((p: any) =>
    typeof p === 'object' ? Number(p.target) : Number(String(p).split(':').pop()?.split('/')[0]),
  );
}

describe.skipIf(!hasCompose)('docker-compose.yml', () => {
  it('runs Redis on 6379', () => {
    const redis = services.redis;
    expect(redis, 'a service named redis').toBeDefined();
    expect(String(redis.image)).toMatch(/redis|valkey/);
    const published = containerPorts(redis);
    if (published.length > 0) expect(published).toContain(6379);
  });

  it('runs Medic with real `medic serve` roles', () => {
    expect(medicServices.length).toBeGreaterThan(0);
    const roles = serveRoles();
    expect(roles).toEqual(expect.arrayContaining(['web', 'worker', 'all']));
    for (const [name, s] of medicServices) {
      const args = [...words(s.entrypoint), ...words(s.command)];
      const roleFlag = args.findIndex((a) => a === '--role' || a.startsWith('--role='));
      if (roleFlag < 0) continue;
      const role = args[roleFlag]?.includes('=') ? args[roleFlag]?.split('=')[1] : args[roleFlag + 1];
      expect(roles, `${name}: --role ${role}`).toContain(role);
    }
  });

  it('gives every Medic service a configuration loadConfig accepts, with Redis reached by service name', () => {
    for (const [name, s] of medicServices) {
      const env = environment(s);
      const config = loadConfig({ ...env, MEDIC_CONFIG: undefined });
      const redisUrl = new URL(config.redis.url);
      expect(services[redisUrl.hostname], `${name}: REDIS_URL host ${redisUrl.hostname} is a service`).toBeDefined();
      expect(Number(redisUrl.port || 6379)).toBe(6379);
      if (env.ALERTMANAGER_URL) {
        const am = new URL(env.ALERTMANAGER_URL);
        expect(services[am.hostname], `${name}: ALERTMANAGER_URL host`).toBeDefined();
        expect(Number(am.port)).toBe(9093);
      }
    }
  });

  it('publishes the web port Medic listens on (PORT, default 3000)', () => {
    const web = medicServices.filter(([, s]) => !words(s.command).join(' ').includes('--role worker'));
    expect(web.length).toBeGreaterThan(0);
    for (const [name, s] of web) {
      const port = loadConfig({ PORT: environment(s).PORT }).port;
      expect(containerPorts(s), name).toContain(port);
    }
  });

  it.skipIf(!services.alertmanager)("runs Alertmanager on 9093, sending to Medic's /alertmanager", () => {
    const am = services.alertmanager;
    expect(containerPorts(am)).toContain(9093);
    const mounted = (am.volumes ?? [])
      .map((v: any) => (typeof v === 'string' ? v.split(':')[0] : v.source))
      .map((source: string) => resolve(dirname(composeFile), source))
      .filter((file: string) => /\.ya?ml$/.test(file) && existsSync(file));
    for (const file of mounted) {
      const config = parse(readFileSync(file, 'utf8'));
      const urls = (config.receivers ?? []).flatMap((r: any) => (r.webhook_configs ?? []).map((w: any) => w.url));
      for (const url of urls) {
        const target = new URL(url);
        expect(target.pathname).toBe('/alertmanager');
        expect(medicServices.map(([n]) => n)).toContain(target.hostname);
      }
    }
  });
});

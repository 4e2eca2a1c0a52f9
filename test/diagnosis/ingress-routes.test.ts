/**
 * Alerts an ingress controller raises about a route (src/diagnosis/ingress-routes.ts): the Service behind an Ingress
 * (test/scenarios/ingress-nginx-5xx-by-ingress-backend-oom) or a Traefik service name
 * (test/scenarios/traefik-service-5xx-backend-oom) is the target.
 */
import { describe, expect, it } from 'vitest';
import type { AlertEvent } from '../../src/alertmanager/payload.js';
import { traefikRoute } from '../../src/diagnosis/ingress-routes.js';
import { namedTarget } from '../../src/diagnosis/target.js';
import { eachObject, scenarioDiagnoser } from '../playbooks/diagnose-scenario.js';

const INGRESS = 'test/scenarios/ingress-nginx-5xx-by-ingress-backend-oom';
const TRAEFIK = 'test/scenarios/traefik-service-5xx-backend-oom';
const diagnoseScenario = scenarioDiagnoser();

/** The scenario's alert with its labels replaced. */
const relabel = (labels: Record<string, string>) => (e: AlertEvent) => {
  e.alert.labels = labels;
};

describe('route labels', () => {
  it("reads Traefik's <namespace>-<service>-<port>@provider names and nothing else", () => {
    expect(traefikRoute('shop-checkout-api-80@kubernetes')).toEqual({
      traefik: 'shop-checkout-api-80',
      provider: 'kubernetes',
    });
    expect(traefikRoute('shop-checkout-http@kubernetescrd')?.provider).toBe('kubernetescrd');
    expect(traefikRoute('api@internal')).toBeNull();
    expect(traefikRoute('checkout@file')).toBeNull();
    expect(traefikRoute('checkout')).toBeNull();
  });

  it('takes the series service over the scrape target when honor_labels renamed it', () => {
    const named = namedTarget({
      alertname: 'TraefikHighHttp5xxErrorRateService',
      exported_service: 'shop-checkout-api-80@kubernetes',
      service: 'traefik',
      namespace: 'traefik',
      pod: 'traefik-7d9f8c6b5-q2w3e',
      container: 'traefik',
      job: 'traefik',
    });
    expect(named).toMatchObject({ route: { traefik: 'shop-checkout-api-80' }, from: ['exported_service'] });
  });

  it('reads an Ingress only when the alert names no Service', () => {
    const labels = { alertname: 'X', ingress: 'storefront', namespace: 'shop' };
    expect(namedTarget(labels)).toMatchObject({ route: { ingress: 'storefront', namespace: 'shop' } });
    expect(namedTarget({ ...labels, service: 'checkout' })).toMatchObject({ kind: 'Service', name: 'checkout' });
    expect(namedTarget({ ...labels, service: 'checkout' })?.route).toBeUndefined();
  });
});

describe('an alert per Ingress', () => {
  it('diagnoses the one Service its rules route to, not a Service named like the Ingress', async () => {
    const d = await diagnoseScenario(INGRESS);
    expect(d.target).toMatchObject({ kind: 'Service', namespace: 'shop', name: 'checkout' });
    expect(d.rootCause.code).toBe('OOM_LIMIT');
    expect(d.evidence[0]?.text).toBe(
      'The alert counts requests through Ingress shop/storefront, whose rules route them to Service shop/checkout, which Medic looks at.',
    );
    expect(d.actions.map((a) => a.kind)).toEqual(['set-memory-limit']);
  });

  it('names nothing when the Ingress routes to several Services and the alert does not say which', async () => {
    const twoBackends = eachObject((o) => {
      if (o.kind === 'Ingress') o.spec.rules[0].http.paths[1].backend.service.name = 'storefront';
    });
    const d = await diagnoseScenario(INGRESS, twoBackends);
    expect(d.target).toBeNull();
    expect(d.rootCause.code).toBe('UNKNOWN');
    expect(d.actions).toEqual([]);
  });

  it("follows the rule ingress-nginx's host and path labels name", async () => {
    const twoBackends = eachObject((o) => {
      if (o.kind === 'Ingress') o.spec.rules[0].http.paths[1].backend.service.name = 'storefront';
    });
    const d = await diagnoseScenario(INGRESS, twoBackends, (e) => {
      e.alert.labels = { ...e.alert.labels, host: 'shop.example.com', path: '/api/checkout' };
    });
    expect(d.target).toMatchObject({ kind: 'Service', name: 'checkout' });
  });

  it('names nothing (never TARGET_NOT_FOUND) when the Ingress is not in the cluster', async () => {
    const d = await diagnoseScenario(
      INGRESS,
      undefined,
      relabel({
        alertname: 'NginxIngressHigh5xxRate',
        ingress: 'gone',
        namespace: 'shop',
      }),
    );
    expect(d.target).toBeNull();
    expect(d.rootCause.code).toBe('UNKNOWN');
  });
});

describe('an alert about a Traefik service', () => {
  it('finds the Service whose namespace, name and port spell the name', async () => {
    const d = await diagnoseScenario(TRAEFIK);
    expect(d.target).toMatchObject({ kind: 'Service', namespace: 'shop', name: 'checkout-api' });
    expect(d.rootCause.code).toBe('OOM_LIMIT');
    expect(d.evidence[0]?.text).toBe(
      "The alert names Traefik's service shop-checkout-api-80@kubernetes: Service shop/checkout-api, port 80, which Medic looks at.",
    );
  });

  it('matches a port by its name, as an IngressRoute may write it, and names nothing when two Services fit', async () => {
    const labels = {
      alertname: 'TraefikHighHttp5xxErrorRateService',
      exported_service: 'shop-checkout-api-http@kubernetescrd',
      service: 'traefik',
      namespace: 'traefik',
      pod: 'traefik-7d9f8c6b5-q2w3e',
      job: 'traefik',
    };
    // shop-checkout/api has a port named http too: "shop-checkout" + "api" + "http" fits it as well.
    const both = await diagnoseScenario(TRAEFIK, undefined, relabel(labels));
    expect(both.target).toBeNull();
    expect(both.actions).toEqual([]);
    const renamed = eachObject((o) => {
      if (o.kind === 'Service' && o.metadata.namespace === 'shop-checkout') o.spec.ports[0].name = 'web';
    });
    const one = await diagnoseScenario(TRAEFIK, renamed, relabel(labels));
    expect(one.target).toMatchObject({ kind: 'Service', namespace: 'shop', name: 'checkout-api' });
  });

  it('names nothing when no Service fits the name (a port the Service does not have)', async () => {
    const d = await diagnoseScenario(
      TRAEFIK,
      undefined,
      relabel({
        alertname: 'TraefikHighHttp5xxErrorRateService',
        service: 'shop-checkout-api-9090@kubernetes',
      }),
    );
    expect(d.target).toBeNull();
    expect(d.rootCause.code).toBe('UNKNOWN');
    expect(d.actions).toEqual([]);
  });
});

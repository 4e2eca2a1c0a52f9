import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { render } from '../deploy/render.js';
import { ROOT } from './tools.js';

const monitor = parse(readFileSync(join(ROOT, 'alerting/servicemonitor.yaml'), 'utf8'));

describe('alerting/servicemonitor.yaml', () => {
  const services = render('deploy').filter((o) => o.kind === 'Service');
  const selected = services.filter(
    (s) =>
      monitor.spec.namespaceSelector.matchNames.includes(s.metadata.namespace) &&
      Object.entries(monitor.spec.selector.matchLabels).every(([k, v]) => s.metadata.labels?.[k] === v),
  );

  it('selects the web and worker Services and not Redis', () => {
    expect(selected.map((s) => s.metadata.name).sort()).toEqual(['medic-web', 'medic-worker']);
  });

  it("scrapes /metrics on a port each Service names, which reaches the container's port 3000", () => {
    const [endpoint] = monitor.spec.endpoints;
    expect(endpoint.path).toBe('/metrics');
    for (const service of selected) {
      expect(
        service.spec.ports.map((p: any) => p.name),
        service.metadata.name,
      ).toContain(endpoint.port);
      expect(service.spec.ports.find((p: any) => p.name === endpoint.port).port).toBe(3000);
    }
  });
});

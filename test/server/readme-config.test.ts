import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { envSchema } from '../../src/config/load.js';

const readme = readFileSync(join(import.meta.dirname, '../../README.md'), 'utf8');
const SPEC_VARIABLES = [
  'REDIS_URL',
  'SLACK_BOT_TOKEN',
  'SLACK_SIGNING_SECRET',
  'SLACK_APP_TOKEN',
  'SLACK_CHANNEL',
  'SLACK_API_URL',
  'KUBECONFIG',
  'ALERTMANAGER_TOKEN',
  'ALERTMANAGER_URL',
  'PROMETHEUS_URL',
  'MEDIC_CONFIG',
  'PORT',
];

describe('README configuration table', () => {
  const documented = [...readme.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1]);

  it('documents every environment variable Medic reads, and nothing it does not read', () => {
    expect([...documented].sort()).toEqual(Object.keys(envSchema.shape).sort());
  });

  it('documents every variable of the specification', () => {
    for (const name of SPEC_VARIABLES) expect(documented).toContain(name);
  });

  it('keeps the two quick-start commands', () => {
    expect(readme).toContain('npx medic --help');
    expect(readme).toContain('npm run check');
  });
});

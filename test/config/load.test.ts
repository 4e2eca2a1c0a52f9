import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, parseSettings, redactConfig } from '../../src/config/load.js';
import { MedicError } from '../../src/errors.js';

function writeYaml(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'medic-config-'));
  const file = join(dir, 'medic.yaml');
  writeFileSync(file, text);
  return file;
}

function configError(fn: () => unknown): MedicError {
  try {
    fn();
  } catch (error) {
    if (error instanceof MedicError) return error;
    throw error;
  }
  throw new Error('expected a configuration error');
}

describe('loadConfig', () => {
  it('uses the documented defaults when nothing is set', () => {
    const config = loadConfig({});
    expect(config.port).toBe(3000);
    expect(config.redis.url).toBe('redis://127.0.0.1:6379');
    expect(config.settings.remediation.denyNamespaces).toEqual(['kube-system']);
    expect(config.settings.remediation.namespaces).toEqual(['*']);
    expect(config.settings.remediation.maxExecutionsPerHour).toBe(20);
    expect(config.settings.remediation.maxCordonNodes).toBe(2);
    expect(config.settings.scale).toEqual({ min: 1, max: 50, maxFactor: 10 });
    expect(config.settings.proposals.ttl).toBe(3_600_000);
    expect(config.settings.sidecars[0]?.names).toContain('consul-client');
  });

  it('reads medic.yaml from MEDIC_CONFIG', () => {
    const file = writeYaml('approvers: [U0123ABC, S0GROUP1]\nproposals: {ttl: 30m}\nscale: {max: 20}\n');
    const config = loadConfig({ MEDIC_CONFIG: file });
    expect(config.settings.approvers).toEqual(['U0123ABC', 'S0GROUP1']);
    expect(config.settings.proposals.ttl).toBe(1_800_000);
    expect(config.settings.scale.max).toBe(20);
    expect(config.settingsSource).toBe(file);
  });

  it('names the bad environment variable in one sentence', () => {
    const error = configError(() => loadConfig({ PORT: 'eighty' }));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.field).toBe('PORT');
    expect(error.message).toMatch(/^Environment variable PORT .*unset it to use the default\.$/);
  });

  it('rejects an unknown key in medic.yaml so a typo cannot disable a guard rail', () => {
    const error = configError(() => parseSettings('remediation:\n  maxExecutionPerHour: 5\n', 'medic.yaml'));
    expect(error.field).toBe('remediation');
    expect(error.message).toContain('maxExecutionPerHour');
  });

  it('names the nested setting with a bad value', () => {
    const error = configError(() => parseSettings('approvers: [alice]\n', 'medic.yaml'));
    expect(error.field).toBe('approvers[0]');
    expect(error.message).toContain('Slack user ID');
  });

  it('bounds resize-pvc by volumes.maxSize and maxGrowthFactor, and names a bad size', () => {
    expect(loadConfig({}).settings.volumes).toEqual({ maxSize: 2 * 2 ** 40, maxGrowthFactor: 2 });
    expect(parseSettings('volumes: {maxSize: 500Gi}\n', 'medic.yaml').volumes.maxSize).toBe(500 * 2 ** 30);
    const error = configError(() => parseSettings('volumes: {maxSize: huge}\n', 'medic.yaml'));
    expect(error.field).toBe('volumes.maxSize');
    expect(error.message).toContain('"huge" is not a storage size like 500Gi or 2Ti');
    expect(configError(() => parseSettings('volumes: {maxGrowthFactor: 1}\n', 'medic.yaml')).field).toBe(
      'volumes.maxGrowthFactor',
    );
  });

  it('checks fixes 2 minutes after an action by default, sooner per kind, and names a bad verification setting', () => {
    expect(loadConfig({}).settings.verification).toEqual({
      delay: 120_000,
      delays: { 'cordon-node': 30_000, scale: 60_000, 'delete-pod': 60_000, 'set-hpa-max': 60_000 },
    });
    const short = parseSettings('verification: {delay: 10s, delays: {rollout-undo: 5m}}\n', 'medic.yaml').verification;
    // A kind's default never makes its check later than the delay the team chose; a kind set explicitly wins.
    expect(short.delays).toEqual({
      'cordon-node': 10_000,
      scale: 10_000,
      'delete-pod': 10_000,
      'set-hpa-max': 10_000,
      'rollout-undo': 300_000,
    });
    const kind = configError(() => parseSettings('verification: {delays: {scael: 1m}}\n', 'medic.yaml'));
    expect(kind.field).toBe('verification.delays');
    expect(kind.message).toMatch(/"scael"/);
    const delay = configError(() => parseSettings('verification: {delay: soon}\n', 'medic.yaml'));
    expect(delay.field).toBe('verification.delay');
    expect(delay.message).toMatch(/"soon" is not a duration like 30m/);
    expect(configError(() => parseSettings('verification: {dealy: 1m}\n', 'medic.yaml')).field).toBe('verification');
  });

  it('reports an unreadable MEDIC_CONFIG path', () => {
    const error = configError(() => loadConfig({ MEDIC_CONFIG: '/nonexistent/medic.yaml' }));
    expect(error.field).toBe('MEDIC_CONFIG');
    expect(error.message).toContain('ENOENT');
  });

  it('never puts secrets in the loggable form', () => {
    const config = loadConfig({
      SLACK_BOT_TOKEN: 'xoxb-secret-1',
      SLACK_SIGNING_SECRET: 'sign-secret-2',
      SLACK_CHANNEL: 'CALERTS',
      ALERTMANAGER_TOKEN: 'am-secret-3',
      REDIS_URL: 'redis://:pw-secret-4@127.0.0.1:6379',
    });
    const text = JSON.stringify(redactConfig(config));
    for (const secret of ['xoxb-secret-1', 'sign-secret-2', 'am-secret-3', 'pw-secret-4']) {
      expect(text).not.toContain(secret);
    }
  });

  it('stops start-up with one sentence when Slack is configured but an alert could have no channel', () => {
    const slack = { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's' };
    expect(() => loadConfig(slack, undefined)).toThrow(
      expect.objectContaining({
        code: 'CONFIG_INVALID',
        field: 'SLACK_CHANNEL',
        message: expect.stringMatching(/^SLACK_BOT_TOKEN is set but SLACK_CHANNEL is not/),
      }),
    );
    const dir = mkdtempSync(join(tmpdir(), 'medic-config-'));
    const byNamespace = join(dir, 'routes.yaml');
    writeFileSync(byNamespace, 'channels:\n  - {match: {namespace: ads}, channel: C0ADS}\n');
    expect(() => loadConfig(slack, byNamespace)).toThrow(expect.objectContaining({ field: 'SLACK_CHANNEL' }));
    const catchAll = join(dir, 'all.yaml');
    writeFileSync(catchAll, 'channels:\n  - {match: {labels: {}}, channel: C0ALL}\n');
    expect(loadConfig(slack, catchAll).settings.channels).toHaveLength(1);
    expect(() => loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_CHANNEL: 'C1' }, undefined)).toThrow(
      expect.objectContaining({ field: 'SLACK_SIGNING_SECRET' }),
    );
    expect(
      loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_CHANNEL: 'C1', SLACK_APP_TOKEN: 'xapp-1' }, undefined).slack
        .appToken,
    ).toBe('xapp-1');
  });
});

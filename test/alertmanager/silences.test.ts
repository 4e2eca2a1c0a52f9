import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSilenceClient } from '../../src/alertmanager/silences.js';
import { MedicError } from '../../src/errors.js';
import { type RunningAlertmanager, startAlertmanager } from './start-alertmanager.js';

const run = promisify(execFile);

describe('Alertmanager silences client against a real Alertmanager', () => {
  let am: RunningAlertmanager;
  beforeAll(async () => {
    am = await startAlertmanager();
  }, 20_000);
  afterAll(async () => {
    await am?.stop();
  });

  it('creates a silence that Alertmanager (and amtool) then lists as active, created by medic', async () => {
    const client = createSilenceClient(am.url);
    const startsAt = new Date();
    const endsAt = new Date(startsAt.getTime() + 2 * 3_600_000);
    const id = await client.createSilence({
      matchers: [
        { name: 'alertname', value: 'KubePodCrashLooping', isRegex: false, isEqual: true },
        { name: 'namespace', value: 'ads', isRegex: false, isEqual: true },
      ],
      startsAt,
      endsAt,
      createdBy: 'medic',
      comment: 'Medic proposal p-1: silence crash loop',
    });

    const silence = await client.getSilence(id);
    expect(silence.status.state).toBe('active');
    expect(silence.createdBy).toBe('medic');
    expect(new Date(silence.endsAt).getTime()).toBe(endsAt.getTime());

    const { stdout } = await run('amtool', ['silence', 'query', '-o', 'json', `--alertmanager.url=${am.url}`]);
    const listed = JSON.parse(stdout) as { id: string; comment: string; matchers: { name: string; value: string }[] }[];
    const mine = listed.find((s) => s.id === id);
    expect(mine?.comment).toBe('Medic proposal p-1: silence crash loop');
    expect(mine?.matchers.map((m) => `${m.name}=${m.value}`).sort()).toEqual([
      'alertname=KubePodCrashLooping',
      'namespace=ads',
    ]);
  });

  it('reports a silence Alertmanager rejects (matches every alert) as a permanent error with its reason', async () => {
    const client = createSilenceClient(am.url);
    const error = await client
      .createSilence({
        matchers: [{ name: 'alertname', value: '.*', isRegex: true, isEqual: true }],
        startsAt: new Date(),
        endsAt: new Date(Date.now() + 60_000),
        createdBy: 'medic',
        comment: 'too broad',
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MedicError);
    expect((error as MedicError).permanent).toBe(true);
    expect((error as MedicError).status).toBe(400);
    expect((error as MedicError).message).toMatch(/empty string/i);
  });

  it('reports an unreachable Alertmanager as a transient error', async () => {
    const client = createSilenceClient('http://127.0.0.1:9', { timeoutMs: 1000 });
    const error = await client.checkReady().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MedicError);
    expect((error as MedicError).permanent).toBe(false);
    expect((error as MedicError).code).toBe('UNAVAILABLE');
  });
});

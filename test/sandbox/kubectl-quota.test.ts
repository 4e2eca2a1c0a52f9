/** kubectl reads what QUOTA_EXCEEDED reads from the sandbox: quotas, limit ranges, ReplicaSet events, pod metrics. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../../src/sandbox/index.js';

const run = promisify(execFile);
let sandbox: Sandbox;
const kubectl = (...args: string[]) =>
  run('/usr/bin/kubectl', [`--server=${sandbox.url}`, ...args], { timeout: 20_000 });

beforeAll(async () => {
  sandbox = await startSandbox({ file: 'test/scenarios/limitrange-maximum-rollout/cluster.yaml' });
});
afterAll(() => sandbox.close());

describe('kubectl against the sandbox: quotas and limit ranges', () => {
  it('gets quota,limitrange together by their short names', async () => {
    const { stdout, stderr } = await kubectl('get', 'quota,limits', '-n', 'analytics', '-o', 'name');
    expect(stderr).toBe('');
    expect(stdout.trim().split('\n')).toEqual(['resourcequota/analytics-quota', 'limitrange/container-limits']);
  });

  it('describes a quota as used vs hard', async () => {
    const { stdout } = await kubectl('describe', 'quota', 'analytics-quota', '-n', 'analytics');
    expect(stdout).toMatch(/requests\.memory\s+2304Mi\s+16Gi/);
    expect(stdout).toMatch(/limits\.cpu\s+3\s+16/);
  });

  it('describes a limit range per type', async () => {
    const { stdout } = await kubectl('describe', 'limitrange', 'container-limits', '-n', 'analytics');
    expect(stdout).toMatch(/Container\s+memory\s+64Mi\s+1Gi\s+256Mi\s+512Mi/);
  });

  it('selects events by involvedObject kind and name (a ReplicaSet)', async () => {
    const { stdout, stderr } = await kubectl(
      'get',
      'events',
      '-n',
      'analytics',
      '--field-selector',
      'involvedObject.kind=ReplicaSet,reason=FailedCreate',
      '-o',
      'jsonpath={range .items[*]}{.involvedObject.name}{" "}{.count}{"\\n"}{end}',
    );
    expect(stderr).toBe('');
    // The API server lists by object name (here a hash), so compare as a set.
    expect(stdout.trim().split('\n').sort()).toEqual(['report-api-5b7c9d8f64 1', 'report-api-5b7c9d8f64 23']);
  });

  it('shows pod metrics with kubectl top', async () => {
    const { stdout } = await kubectl('top', 'pod', '-n', 'analytics', '--no-headers');
    expect(stdout).toMatch(/report-api-84f6c7d9b5-c4m8z\s+212m\s+803Mi/);
  });
});

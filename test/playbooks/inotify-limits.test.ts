/**
 * A crash loop on the node's inotify limits (test/scenarios/crashloop-inotify-watch-limit-not-disk): the watch
 * limit says ENOSPC on a path of a claim, and is no full claim — never resize-pvc.
 */
import { describe, expect, it } from 'vitest';
import { eachObject, scenarioDiagnoser } from './diagnose-scenario.js';

const DIR = 'test/scenarios/crashloop-inotify-watch-limit-not-disk';
const diagnoseScenario = scenarioDiagnoser();

describe("a crash on the node's inotify watch limit", () => {
  it('names the sysctl and proposes no resize of the claim it watched', async () => {
    const d = await diagnoseScenario(DIR);
    expect(d.rootCause.code).toBe('CRASHLOOP_APP_ERROR');
    expect(d.actions).toEqual([]);
    expect(d.rootCause.summary).toContain('fs.inotify.max_user_watches on node worker-1');
  });

  it('still takes a write refused for space on the same claim as the full claim', async () => {
    const d = await diagnoseScenario(
      DIR,
      eachObject((o) => {
        if (o.kind === 'PodLogs')
          o.previous.indexer =
            "2026-11-20T03:04:02.811Z info asset-indexer 1.14.2 starting\nError: ENOSPC: no space left on device, write '/data/assets/catalog/index.db'\n";
      }),
    );
    expect(d.rootCause.code).toBe('VOLUME_FULL');
    expect(d.actions.map((a) => a.kind)).toEqual(['resize-pvc']);
  });
});

/**
 * An image without a build for the node's platform (test/scenarios/image-no-match-for-platform-after-rollout):
 * containerd answers it with a gRPC NotFound, which must not read as a tag that does not exist.
 */
import { describe, expect, it } from 'vitest';
import { eachObject, scenarioDiagnoser } from './diagnose-scenario.js';

const DIR = 'test/scenarios/image-no-match-for-platform-after-rollout';
const diagnoseScenario = scenarioDiagnoser();

/** Every pull error of the scenario, in `text`. */
const pullErrorSays = (text: string) =>
  eachObject((o) => {
    const swap = (x: Record<string, any>) => {
      for (const [k, v] of Object.entries(x)) {
        if (typeof v === 'string' && v.includes('no match for platform')) x[k] = text;
        else if (v && typeof v === 'object') swap(v);
      }
    };
    swap(o);
  });

/** The diagnosis says the platform, not that the tag is missing. */
function saysPlatform(d: Awaited<ReturnType<typeof diagnoseScenario>>) {
  expect(d.rootCause.code).toBe('IMAGE_PULL_FAILURE');
  expect(d.rootCause.summary).toContain("has no build for the node's platform");
  expect(d.rootCause.summary).not.toContain('does not exist');
}

describe('an image with no build for the node platform', () => {
  it("says so in containerd's wording (a gRPC NotFound), not that the tag is missing", async () => {
    saysPlatform(await diagnoseScenario(DIR));
  });

  it("says so in Docker's wording", async () => {
    saysPlatform(
      await diagnoseScenario(
        DIR,
        pullErrorSays(
          'Error response from daemon: no matching manifest for linux/arm64/v8 in the manifest list entries',
        ),
      ),
    );
  });
});

/**
 * Image names without a registry on CRI-O nodes (test/scenarios/image-short-name-*): the runtime refuses them
 * (ImageInspectError) when registries.conf has no unqualified-search registries, or, in short-name mode "enforcing",
 * when several could serve the name. The diagnosis names the fully qualified reference; a rollback only when the new
 * revision brought the name and the previous one ran.
 */
import { describe, expect, it } from 'vitest';
import { fullyQualified } from '../../playbooks/image-pull.js';
import { eachObject, scenarioDiagnoser } from './diagnose-scenario.js';

const NO_SEARCH = 'test/scenarios/image-short-name-cri-o-no-search-registries';
const AMBIGUOUS = 'test/scenarios/image-short-name-ambiguous-after-cri-o-upgrade';
const diagnoseScenario = scenarioDiagnoser();

describe('image names CRI-O cannot resolve', () => {
  it('reads a name without a registry as Docker Hub does', () => {
    expect(fullyQualified('nginx:1.27')).toBe('docker.io/library/nginx:1.27');
    expect(fullyQualified('fusionauth/fusionauth-app:1.60.2')).toBe('docker.io/fusionauth/fusionauth-app:1.60.2');
    expect(fullyQualified('quay.io/prometheus/node-exporter:v1.8.2')).toBe('quay.io/prometheus/node-exporter:v1.8.2');
    expect(fullyQualified('registry:5000/team/app')).toBe('registry:5000/team/app');
    expect(fullyQualified('localhost/app:dev')).toBe('localhost/app:dev');
  });

  it('names the missing search registries and the qualified name; the new revision brought it, so it rolls back', async () => {
    const d = await diagnoseScenario(NO_SEARCH);
    expect(d.rootCause.code).toBe('IMAGE_PULL_FAILURE');
    expect(d.rootCause.summary).toContain('no unqualified-search registries in /etc/containers/registries.conf');
    expect(d.rootCause.summary).toContain('docker.io/library/nginx:1.27 if it comes from Docker Hub');
    expect(d.actions.map((a) => a.kind)).toEqual(['rollout-undo']);
  });

  it('proposes no rollback when the previous revision has the same short name', async () => {
    const sameImage = eachObject((o) => {
      for (const c of o.spec?.template?.spec?.containers ?? []) c.image = 'nginx:1.27';
    });
    const d = await diagnoseScenario(NO_SEARCH, sameImage);
    expect(d.rootCause.code).toBe('IMAGE_PULL_FAILURE');
    expect(d.actions).toEqual([]);
  });

  it("names CRI-O's enforcing short-name mode for an ambiguous name, without a rollback", async () => {
    const d = await diagnoseScenario(AMBIGUOUS);
    expect(d.rootCause.code).toBe('IMAGE_PULL_FAILURE');
    expect(d.rootCause.summary).toContain('short-name mode enforcing');
    expect(d.rootCause.summary).toContain('docker.io/fusionauth/fusionauth-app:1.60.2');
    expect(d.actions).toEqual([]);
  });

  it("reads CRI-O's older wording the same way", async () => {
    const older = eachObject((o) => {
      const text =
        'rpc error: code = Unknown desc = no registries configured while trying to pull an unqualified image, add at least one in either /etc/crio/crio.conf or /etc/containers/registries.conf';
      if (o.kind === 'Event' && o.reason === 'InspectFailed')
        o.message = `Failed to inspect image "nginx:1.27": ${text}`;
      for (const s of o.status?.containerStatuses ?? [])
        if (s.state?.waiting?.reason === 'ImageInspectError') s.state.waiting.message = text;
    });
    const d = await diagnoseScenario(NO_SEARCH, older);
    expect(d.rootCause.summary).toContain('has no unqualified-search registries');
  });
});

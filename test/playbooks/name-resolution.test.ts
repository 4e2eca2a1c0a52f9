/**
 * Crash loops on a name that does not resolve (test/scenarios/dns-policy-none-external-resolver,
 * dependency-service-deleted-crashloop): the pod's DNS policy, a Service that does not exist, or the cluster DNS.
 */
import { describe, expect, it } from 'vitest';
import { eachObject, scenarioDiagnoser } from './diagnose-scenario.js';

const POLICY = 'test/scenarios/dns-policy-none-external-resolver';
const DELETED = 'test/scenarios/dependency-service-deleted-crashloop';
const diagnoseScenario = scenarioDiagnoser();
type Any = Record<string, any>;

/** The crash-looping pod's spec changed by `edit`. */
const crashingPod = (edit: (spec: Any) => void) =>
  eachObject((o) => {
    if (o.kind === 'Pod' && o.status.containerStatuses[0].ready === false) edit(o.spec);
  });

/** The crash-looping pod's previous log replaced by `log`. */
const logSays = (log: string) =>
  eachObject((o) => {
    if (o.kind === 'PodLogs') o.previous = { [Object.keys(o.previous)[0] as string]: log };
  });

describe('a crash loop on a name that does not resolve', () => {
  it('names a dnsPolicy that skips the cluster DNS, and still rolls back the revision that brought it', async () => {
    const d = await diagnoseScenario(POLICY);
    expect(d.rootCause.summary).toContain('its dnsPolicy is None with nameservers 8.8.8.8');
    expect(d.rootCause.summary).toContain('Set dnsPolicy ClusterFirst');
    expect(d.actions.map((a) => a.kind)).toEqual(['rollout-undo']);
  });

  it('tells Default and a hostNetwork pod on ClusterFirst apart', async () => {
    const byDefault = await diagnoseScenario(
      POLICY,
      crashingPod((spec) => Object.assign(spec, { dnsPolicy: 'Default', dnsConfig: undefined })),
    );
    expect(byDefault.rootCause.summary).toContain("its dnsPolicy is Default, which means the node's resolver");
    const host = await diagnoseScenario(
      POLICY,
      crashingPod((spec) =>
        Object.assign(spec, { dnsPolicy: 'ClusterFirst', dnsConfig: undefined, hostNetwork: true }),
      ),
    );
    expect(host.rootCause.summary).toContain('Set dnsPolicy ClusterFirstWithHostNet');
  });

  it('names a Service that does not exist, and proposes no pod replacement', async () => {
    const d = await diagnoseScenario(DELETED);
    expect(d.rootCause.summary).toContain('there is no Service mongodb-rate in namespace hotel-reservation');
    expect(d.actions).toEqual([]);
  });

  it('points at the cluster DNS when the Service exists, and says nothing of an outside name', async () => {
    const exists = await diagnoseScenario(
      DELETED,
      logSays('panic: dial tcp: lookup rate.hotel-reservation.svc.cluster.local on 10.96.0.10:53: no such host\n'),
    );
    expect(exists.rootCause.summary).toContain('though Service hotel-reservation/rate exists: look at the cluster DNS');
    const outside = await diagnoseScenario(
      DELETED,
      logSays('panic: dial tcp: lookup api.stripe.com on 10.96.0.10:53: i/o timeout\n'),
    );
    expect(outside.rootCause.summary).not.toContain('Service');
    expect(outside.rootCause.summary).toContain('lookup api.stripe.com');
  });

  it("reads Go's timed-out lookup that names the socket it waited on", async () => {
    const d = await diagnoseScenario(
      DELETED,
      logSays('panic: dial tcp: lookup rate on 10.96.0.10:53: read udp 10.244.2.9:45123->10.96.0.10:53: i/o timeout\n'),
    );
    expect(d.rootCause.summary).toContain('though Service hotel-reservation/rate exists: look at the cluster DNS');
  });
});

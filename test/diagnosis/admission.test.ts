/** The admission refusals controllers report in FailedCreate events, in the exact texts of kubernetes' plugins. */
import { describe, expect, it } from 'vitest';
import { parseAdmissionRefusals } from '../../src/diagnosis/admission.js';

describe('parseAdmissionRefusals', () => {
  it('reads an exceeded quota with several resources (prettyPrint: sorted, comma-joined)', () => {
    expect(
      parseAdmissionRefusals(
        'Error creating: pods "api-7d9f-x2x2x" is forbidden: exceeded quota: mem, requested: limits.memory=2Gi,requests.memory=1Gi, used: limits.memory=7Gi,requests.memory=7Gi, limited: limits.memory=8Gi,requests.memory=8Gi',
      ),
    ).toEqual([
      {
        type: 'quota',
        quota: 'mem',
        requested: { 'limits.memory': '2Gi', 'requests.memory': '1Gi' },
        used: { 'limits.memory': '7Gi', 'requests.memory': '7Gi' },
        limited: { 'limits.memory': '8Gi', 'requests.memory': '8Gi' },
      },
    ]);
  });

  it('reads the StatefulSet controller wording and a pods count quota', () => {
    expect(
      parseAdmissionRefusals(
        'create Pod web-3 in StatefulSet web failed error: pods "web-3" is forbidden: exceeded quota: object-counts, requested: pods=1, used: pods=10, limited: pods=10',
      ),
    ).toEqual([
      {
        type: 'quota',
        quota: 'object-counts',
        requested: { pods: '1' },
        used: { pods: '10' },
        limited: { pods: '10' },
      },
    ]);
  });

  it('reads LimitRange maximum, minimum and ratio refusals, several at once', () => {
    const refusals = parseAdmissionRefusals(
      'Error creating: pods "x-1" is forbidden: [maximum cpu usage per Container is 2, but limit is 4, minimum memory usage per Container is 64Mi, but request is 32Mi, maximum cpu limit to request ratio per Container is 4, but provided ratio is 8.000000]',
    );
    expect(refusals).toEqual([
      { type: 'limitrange', bound: 'maximum', resource: 'cpu', per: 'Container', allowed: '2', actual: 'limit is 4' },
      {
        type: 'limitrange',
        bound: 'minimum',
        resource: 'memory',
        per: 'Container',
        allowed: '64Mi',
        actual: 'request is 32Mi',
      },
      {
        type: 'limitrange',
        bound: 'ratio',
        resource: 'cpu',
        per: 'Container',
        allowed: '4',
        actual: 'provided ratio is 8',
      },
    ]);
  });

  it('reads a quota that requires limits, and finds nothing in other FailedCreate texts', () => {
    expect(
      parseAdmissionRefusals(
        'Error creating: pods "x-1" is forbidden: failed quota: compute: must specify limits.cpu for: app; limits.memory for: app',
      ),
    ).toEqual([
      { type: 'quota-rule', quota: 'compute', reason: 'must specify limits.cpu for: app; limits.memory for: app' },
    ]);
    expect(parseAdmissionRefusals('Error creating: object is being deleted: pods "x-1" already exists')).toEqual([]);
  });

  it('reads refusals by policy: Pod Security Admission, webhooks, a missing ServiceAccount', () => {
    expect(
      parseAdmissionRefusals(
        'Error creating: pods "api-5d-x" is forbidden: violates PodSecurity "restricted:latest": runAsNonRoot != true (pod or container "api" must set securityContext.runAsNonRoot=true)',
      ),
    ).toEqual([
      {
        type: 'policy',
        by: 'pod-security',
        name: 'restricted:latest',
        reason: 'runAsNonRoot != true (pod or container "api" must set securityContext.runAsNonRoot=true)',
      },
    ]);
    expect(
      parseAdmissionRefusals(
        'Error creating: admission webhook "validation.gatekeeper.sh" denied the request: [must-have-owner] you must provide labels: {"owner"}',
      ),
    ).toEqual([
      {
        type: 'policy',
        by: 'webhook-denied',
        name: 'validation.gatekeeper.sh',
        reason: '[must-have-owner] you must provide labels: {"owner"}',
      },
    ]);
    expect(
      parseAdmissionRefusals(
        'Error creating: Internal error occurred: failed calling webhook "mpod.kb.io": context deadline exceeded',
      ),
    ).toEqual([{ type: 'policy', by: 'webhook-unreachable', name: 'mpod.kb.io', reason: 'context deadline exceeded' }]);
    expect(
      parseAdmissionRefusals(
        'Error creating: pods "agent-" is forbidden: error looking up service account kube-system/kube-vip: serviceaccount "kube-vip" not found',
      ),
    ).toEqual([
      {
        type: 'policy',
        by: 'service-account',
        name: 'kube-system/kube-vip',
        reason: 'serviceaccount "kube-vip" not found',
      },
    ]);
  });
});

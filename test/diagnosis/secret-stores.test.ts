/**
 * Secrets Store CSI driver mount failures (src/diagnosis/secret-stores.ts), in the driver's and providers' wordings,
 * and the volume-attach diagnosis of test/scenarios/secrets-store-csi-access-denied-new-secret.
 */
import { describe, expect, it } from 'vitest';
import { secretStoreFailure } from '../../src/diagnosis/secret-stores.js';
import { scenarioDiagnoser } from '../playbooks/diagnose-scenario.js';

const DIR = 'test/scenarios/secrets-store-csi-access-denied-new-secret';
const diagnoseScenario = scenarioDiagnoser();
const mountFailed = (desc: string) =>
  `MountVolume.SetUp failed for volume "secrets-store-inline" : rpc error: code = Unknown desc = ${desc}`;

describe('Secrets Store CSI driver failures', () => {
  it('names a SecretProviderClass missing from the namespace', () => {
    const f = secretStoreFailure(
      mountFailed(
        'failed to get secretproviderclass payments/aws-secrets, error: secretproviderclasses.secrets-store.csi.x-k8s.io "aws-secrets" not found',
      ),
    );
    expect(f?.words).toContain(
      'SecretProviderClass aws-secrets, which volume secrets-store-inline names, does not exist in namespace payments',
    );
  });

  it("names Azure Key Vault's refusal and a secret the store does not hold", () => {
    const chain = 'failed to mount secrets store objects for pod shop/web-1, err: rpc error: code = Unknown desc = ';
    const denied = secretStoreFailure(
      mountFailed(
        `${chain}failed to get objectType:secret, objectName:db-password, objectVersion:: keyvault.BaseClient#GetSecret: Failure responding to request: StatusCode=403 -- Original Error: autorest/azure: Service returned an error. Status=403 Code="Forbidden" Message="The user, group or application 'appid=1234' does not have secrets get permission on key vault 'shop-kv'"`,
      ),
    );
    expect(denied?.words).toContain('the external secret store refuses the secrets');
    const missing = secretStoreFailure(
      mountFailed(
        `${chain}us-east-1: Failed fetching secret prod/web/api-key: ResourceNotFoundException: Secrets Manager can't find the specified secret.`,
      ),
    );
    expect(missing?.words).toContain('the external secret store has no secret');
    expect(missing?.words).toContain("Secrets Manager can't find the specified secret");
  });

  it('leaves other mount failures to the other readings', () => {
    expect(secretStoreFailure('MountVolume.SetUp failed for volume "data" : mount failed: exit status 32')).toBeNull();
  });
});

describe('a pod whose secrets-store volume the store refuses', () => {
  it('names the role and the permission, no zone and no cordon', async () => {
    const d = await diagnoseScenario(DIR);
    expect(d.rootCause.code).toBe('VOLUME_ATTACH_FAILURE');
    expect(d.rootCause.summary).toContain(
      'IAM role ledger-api-irsa lacks secretsmanager:GetSecretValue on prod/ledger/db',
    );
    expect(d.actions).toEqual([]);
  });

  it('is no zonal outage even when several pods of one zone fail', async () => {
    const twoPods = (objects: Record<string, unknown>[]) => {
      const pod = structuredClone(objects.find((o) => o.kind === 'Pod')) as Record<string, any>;
      const event = structuredClone(objects.find((o) => o.kind === 'Event')) as Record<string, any>;
      pod.metadata.name = 'ledger-api-84f7c6d9b5-q7r8s';
      pod.metadata.uid = 'uid-q7r8s';
      event.metadata.name = 'ledger-api-84f7c6d9b5-q7r8s.0';
      event.involvedObject = { ...event.involvedObject, name: pod.metadata.name, uid: 'uid-q7r8s' };
      return [...objects, pod, event];
    };
    const d = await diagnoseScenario(DIR, twoPods);
    expect(d.rootCause.summary).not.toContain('zonal storage problem');
    expect(d.actions).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { sandboxReading } from '../../src/diagnosis/sandbox-failures.js';

const sandbox = (plugin: string, error: string) =>
  `Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup network for sandbox "7a8b": plugin type="${plugin}" failed (add): ${error}`;

describe("the CNI's words when a pod sandbox cannot be set up", () => {
  it("reads flannel's stale cni0 bridge and host-local's exhausted range", () => {
    expect(
      sandboxReading(
        sandbox(
          'flannel',
          'failed to delegate add: failed to set bridge addr: "cni0" already has an IP address different from 10.244.2.1/24',
        ),
        'worker-2',
      ),
    ).toContain('ip link delete cni0');
    expect(
      sandboxReading(
        sandbox(
          'bridge',
          'failed to allocate for range 0: no IP addresses available in range set: 10.244.1.1-10.244.1.254',
        ),
        'worker-1',
      ),
    ).toContain('/var/lib/cni/networks');
  });

  it("reads the VPC CNI, Calico's expired token, a missing configuration and a missing binary", () => {
    expect(sandboxReading(sandbox('aws-cni', 'add cmd: failed to assign an IP address to container'), 'n')).toContain(
      'ENIs are full',
    );
    expect(
      sandboxReading(
        sandbox('calico', 'error getting ClusterInformation: connection is unauthorized: Unauthorized'),
        'n',
      ),
    ).toContain('Restart the calico-node pod');
    expect(
      sandboxReading(
        'container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized',
        'n',
      ),
    ).toContain('no working CNI configuration');
    expect(
      sandboxReading(sandbox('loopback', 'failed to find plugin "portmap" in path [/opt/cni/bin]'), 'n'),
    ).toContain('lacks the CNI binary portmap');
    expect(sandboxReading('MountVolume.SetUp failed for volume "x"', 'n')).toBeNull();
  });
});

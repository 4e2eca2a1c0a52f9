import { describe, expect, it } from 'vitest';
import { certificateProblem, tlsFailure } from '../../src/diagnosis/certificates.js';

describe('a TLS handshake failure in a crash log', () => {
  it("reads Go's expiry with the host and the date, JSON-escaped", () => {
    const line =
      '{"error":"Get \\"https://payments.shop.svc:8443/healthz\\": tls: failed to verify certificate: x509: certificate has expired or is not yet valid: current time 2026-12-06T02:36:52Z is after 2026-12-05T23:59:59Z"}';
    expect(tlsFailure([line])).toEqual({
      failure: 'expired',
      host: 'payments.shop.svc:8443',
      detail: '2026-12-05T23:59:59Z',
      dialed: null,
    });
    expect(certificateProblem([line])).toContain(
      'the certificate payments.shop.svc:8443 presents has expired (on 2026-12-05T23:59:59Z)',
    );
  });

  it("tells a certificate not valid yet (a node's clock behind) from an expired one", () => {
    const line =
      'x509: certificate has expired or is not yet valid: current time 2026-11-30T08:00:00Z is before 2026-12-01T00:00:00Z';
    expect(certificateProblem([line])).toContain('valid only from 2026-12-01T00:00:00Z');
    expect(certificateProblem([line])).toContain("the clock of this pod's node is behind");
  });

  it('reads an untrusted issuer in the Go, OpenSSL and Java wordings', () => {
    for (const line of [
      'Post "https://vault.security:8200/v1/auth": tls: failed to verify certificate: x509: certificate signed by unknown authority',
      "requests.exceptions.SSLError: HTTPSConnectionPool(host='api.partner.example', port=443): [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: unable to get local issuer certificate",
      'javax.net.ssl.SSLHandshakeException: PKIX path building failed: unable to find valid certification path to requested target',
    ])
      expect(tlsFailure([line])?.failure).toBe('untrusted');
    expect(certificateProblem(['x509: certificate signed by unknown authority'])).toContain('not a skip-verify flag');
  });

  it("reads a name the certificate does not carry, with Go's list of names", () => {
    const line = 'x509: certificate is valid for payments.shop.svc.cluster.local, not payments';
    expect(certificateProblem([line])).toContain('valid for payments.shop.svc.cluster.local, not payments');
    expect(
      tlsFailure(["Error [ERR_TLS_CERT_ALTNAME_INVALID]: Hostname/IP does not match certificate's altnames"])?.failure,
    ).toBe('wrong name');
  });

  it('reads nothing into other failures', () => {
    expect(
      certificateProblem(['dial tcp 10.0.0.9:443: connect: connection refused', 'tls handshake timeout']),
    ).toBeNull();
  });
});

/**
 * A container that fails a TLS handshake, read from its log: the certificate its peer presents expired (or is not
 * valid yet), is signed by an authority it does not trust, or does not carry the name it dials. Wordings: Go's
 * crypto/x509 ("x509: certificate has expired or is not yet valid: current time … is after …", "x509: certificate
 * signed by unknown authority", "x509: certificate is valid for a, b, not c"), OpenSSL as Python, curl and Node print
 * it ("certificate has expired", "unable to get local issuer certificate", "self signed certificate in certificate
 * chain", "Hostname/IP does not match certificate's altnames"), Java's ("CertificateExpiredException: NotAfter: …",
 * "PKIX path building failed", "No subject alternative names matching"). A certificate lives outside the pod, so a
 * new pod fails the same way. Pure.
 */

type Failure = 'expired' | 'not yet valid' | 'untrusted' | 'wrong name';

const READINGS: { failure: Failure; re: RegExp }[] = [
  { failure: 'expired', re: /current time ([^\s"\\]+) is after ([^\s"\\]+)/ },
  { failure: 'not yet valid', re: /current time ([^\s"\\]+) is before ([^\s"\\]+)/ },
  {
    failure: 'expired',
    re: /certificate has expired|CERT_HAS_EXPIRED|CertificateExpiredException(?:: NotAfter: ()([^\n]+?)(?:$|\s{2}|,))?/,
  },
  {
    failure: 'untrusted',
    re: /signed by unknown authority|unable to get local issuer certificate|self[- ]signed certificate|PKIX path building failed|unable to verify the first certificate|UNABLE_TO_VERIFY_LEAF_SIGNATURE/,
  },
  {
    failure: 'wrong name',
    re: /certificate is valid for (.+?), not ([^\s"]+)|Hostname\/IP does not match certificate's altnames|ERR_TLS_CERT_ALTNAME_INVALID|No subject alternative (?:DNS )?names? matching|Hostname mismatch/,
  },
];

const HOST = /https:\/\/([A-Za-z0-9.-]+)(?::(\d+))?/;

export interface TlsFailure {
  failure: Failure;
  host: string | null;
  /** The expiry or start date for expired / not yet valid, the certificate's names for a wrong name. */
  detail: string | null;
  dialed: string | null;
}

/** The first TLS verification failure among the log lines, or null. */
export function tlsFailure(lines: readonly string[]): TlsFailure | null {
  for (const line of lines)
    for (const { failure, re } of READINGS) {
      const m = re.exec(line);
      if (!m) continue;
      const host = HOST.exec(line);
      return {
        failure,
        host: host ? `${host[1]}${host[2] ? `:${host[2]}` : ''}` : null,
        detail: m[failure === 'wrong name' ? 1 : 2]?.trim() || null,
        dialed: failure === 'wrong name' ? (m[2] ?? null) : null,
      };
    }
  return null;
}

/** What the handshake failure means and where to fix it; null when the log shows none. */
export function certificateProblem(logLines: readonly string[]): string | null {
  const f = tlsFailure(logLines);
  if (!f) return null;
  const peer = f.host ? `the certificate ${f.host} presents` : 'the certificate its peer presents';
  switch (f.failure) {
    case 'expired':
      return `the TLS handshake fails: ${peer} has expired${f.detail ? ` (on ${f.detail})` : ''}. Renew it where it is issued (with cert-manager, kubectl get certificate shows whether a renewal failed) and make the server load the new one; a new pod of this workload fails the same way`;
    case 'not yet valid':
      return `the TLS handshake fails: ${peer} is valid only from ${f.detail ?? 'a later time'}: either it was issued with a start in the future or the clock of this pod's node is behind (check its time synchronisation)`;
    case 'untrusted':
      return `the TLS handshake fails: ${peer} is signed by an authority the container does not trust — a certificate re-issued by another CA (or self-signed), or a CA bundle in the pod that lacks its issuer. Give the container the issuing CA (the bundle it mounts or the image's), not a skip-verify flag`;
    case 'wrong name':
      return `the TLS handshake fails: ${peer} does not carry the name the app dials${f.detail ? ` (valid for ${f.detail}, not ${f.dialed})` : ''}. Dial a name the certificate holds (a Service's full name rather than its short one) or re-issue it with that name`;
  }
}

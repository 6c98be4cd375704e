// Self-signed TLS certificate for 127.0.0.1 / localhost, generated once with
// /usr/bin/openssl into tests/idp/.cert/ and reused afterwards.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const CERT_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '.cert');
export const OPENSSL = fs.existsSync('/usr/bin/openssl') ? '/usr/bin/openssl' : 'openssl';

function splitPem(pem) {
  const key = pem.match(/-----BEGIN (?:RSA )?PRIVATE KEY-----[\s\S]+?-----END (?:RSA )?PRIVATE KEY-----\n?/)?.[0];
  const cert = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/)?.[0];
  return key && cert ? { key, cert } : undefined;
}

function writeAtomic(file, data) {
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  fs.writeFileSync(tmp, data, { mode: 0o600 });
  fs.renameSync(tmp, file);
}

/**
 * Returns { key, cert, certPath, keyPath, pemPath } (PEM strings + file paths).
 * The key and certificate live together in one file (localhost.pem) so that
 * concurrent first runs cannot pair a key with somebody else's certificate.
 */
export function ensureCert(dir = CERT_DIR) {
  const pemPath = path.join(dir, 'localhost.pem');
  const certPath = path.join(dir, 'cert.pem');
  const keyPath = path.join(dir, 'key.pem');

  let parts;
  if (fs.existsSync(pemPath)) {
    parts = splitPem(fs.readFileSync(pemPath, 'utf8'));
  }

  if (!parts) {
    fs.mkdirSync(dir, { recursive: true });
    const stem = path.join(dir, `gen.${process.pid}.${Date.now()}`);
    try {
      execFileSync(OPENSSL, [
        'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '3650',
        '-subj', '/CN=localhost',
        '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
        '-addext', 'basicConstraints=critical,CA:FALSE',
        '-addext', 'keyUsage=critical,digitalSignature,keyEncipherment',
        '-addext', 'extendedKeyUsage=serverAuth',
        '-keyout', `${stem}.key`, '-out', `${stem}.crt`,
      ], { stdio: ['ignore', 'ignore', 'pipe'] });
      const pem = fs.readFileSync(`${stem}.key`, 'utf8') + fs.readFileSync(`${stem}.crt`, 'utf8');
      parts = splitPem(pem);
      if (!parts) throw new Error('openssl produced unexpected output');
      writeAtomic(pemPath, parts.key + parts.cert);
    } finally {
      fs.rmSync(`${stem}.key`, { force: true });
      fs.rmSync(`${stem}.crt`, { force: true });
    }
    // Re-read: if another process won the race, use its (complete) file.
    parts = splitPem(fs.readFileSync(pemPath, 'utf8'));
  }

  // Convenience copies (e.g. for NODE_EXTRA_CA_CERTS / browsers); derived, may lag.
  for (const [file, data] of [[certPath, parts.cert], [keyPath, parts.key]]) {
    if (!fs.existsSync(file) || fs.readFileSync(file, 'utf8') !== data) writeAtomic(file, data);
  }

  return { ...parts, certPath, keyPath, pemPath };
}

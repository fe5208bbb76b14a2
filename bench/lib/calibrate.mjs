/**
 * A one-second yardstick of this machine right now: raw node:crypto ES256 signs and verifies per
 * second on one core. Printed with the results so figures from different machines can be related.
 */
import { generateKeyPairSync, sign, verify } from 'node:crypto';
import { performance } from 'node:perf_hooks';

function perSecond(fn, ms) {
  const start = performance.now();
  let n = 0;
  while (performance.now() - start < ms) {
    for (let i = 0; i < 100; i++) fn();
    n += 100;
  }
  return (n * 1000) / (performance.now() - start);
}

export function calibrate(ms = 1000) {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const data = Buffer.alloc(400, 'a');
  const options = { key: privateKey, dsaEncoding: 'ieee-p1363' };
  const signature = sign('sha256', data, options);
  const verifyOptions = { key: publicKey, dsaEncoding: 'ieee-p1363' };
  return {
    es256Sign: perSecond(() => sign('sha256', data, options), ms),
    es256Verify: perSecond(() => verify('sha256', data, verifyOptions, signature), ms),
  };
}

import assert from 'node:assert/strict';
import { generateKeyPairSync, verify, type KeyObject } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { SigningThread } from '../dist/keys/signing-thread.js';

const pairs = {
  ES256: { ...generateKeyPairSync('ec', { namedCurve: 'P-256' }), digest: 'sha256' },
  EdDSA: { ...generateKeyPairSync('ed25519'), digest: null },
  RS256: { ...generateKeyPairSync('rsa', { modulusLength: 2048 }), digest: 'sha256' },
} as const;

const verifies = (publicKey: KeyObject, digest: string | null, data: string, signature: string): boolean =>
  verify(digest, Buffer.from(data), { key: publicKey, dsaEncoding: 'ieee-p1363' }, Buffer.from(signature, 'base64url'));

describe('SigningThread', () => {
  const thread = new SigningThread();
  after(() => thread.stop());

  it('answers every signature of a burst to its own caller, for each algorithm', async () => {
    const signers = Object.values(pairs).map((pair) => ({ pair, signer: thread.register(pair.privateKey, pair.digest) }));
    const requests = Array.from({ length: 300 }, (_, i) => ({ ...signers[i % signers.length]!, data: `header.payload-${i}` }));
    const signatures = await Promise.all(requests.map(({ signer, data }) => signer.sign(data)));
    requests.forEach(({ pair, data }, i) => {
      assert.ok(verifies(pair.publicKey, pair.digest, data, signatures[i]!), `signature ${i} verifies for its own input`);
      assert.equal(verifies(pair.publicKey, pair.digest, `${data}x`, signatures[i]!), false);
    });
    assert.equal(Buffer.from(signatures[0]!, 'base64url').length, 64, 'ES256 signatures are IEEE P1363 (r || s), as JWS needs');
  });

  it('starts a new thread after the old one stopped, with the keys registered before', async () => {
    const { privateKey, publicKey, digest } = pairs.ES256;
    const signer = thread.register(privateKey, digest);
    assert.ok(verifies(publicKey, digest, 'a', await signer.sign('a')));
    await thread.stop();
    assert.ok(verifies(publicKey, digest, 'b', await signer.sign('b')));
  });

  it('fails the signatures a stopped thread owed instead of leaving them pending', async () => {
    const signer = thread.register(pairs.RS256.privateKey, pairs.RS256.digest);
    await signer.sign('warm the thread up');
    const owed = Array.from({ length: 200 }, (_, i) => signer.sign(`owed-${i}`));
    // The batch is posted on the next turn of the event loop; stop the thread right after that.
    await new Promise((resolve) => setImmediate(resolve));
    await thread.stop();
    // 200 RSA signatures take the thread far longer than the stop does to arrive.
    const rejected = (await Promise.allSettled(owed)).filter((outcome) => outcome.status === 'rejected');
    assert.ok(rejected.length > 0);
    for (const outcome of rejected) assert.match(String(outcome.reason), /signing thread stopped/);
    assert.ok(verifies(pairs.RS256.publicKey, pairs.RS256.digest, 'after', await signer.sign('after')));
  });
});

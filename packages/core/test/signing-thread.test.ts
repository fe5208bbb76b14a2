import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, verify, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
  it('lets the process exit by itself once every signature is answered', () => {
    const script = `
      import { generateKeyPairSync } from 'node:crypto';
      import { SigningThread } from ${JSON.stringify(new URL('../dist/keys/signing-thread.js', import.meta.url).href)};
      const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const signature = await new SigningThread().register(privateKey, 'sha256').sign('data');
      process.stdout.write(String(Buffer.from(signature, 'base64url').length));
    `;
    const dir = mkdtempSync(join(tmpdir(), 'tessera-signing-'));
    try {
      writeFileSync(join(dir, 'sign-once.mjs'), script);
      // A thread left referenced would keep the child running until the timeout kills it (and execFileSync throws).
      const output = execFileSync(process.execPath, [join(dir, 'sign-once.mjs')], { encoding: 'utf8', timeout: 30_000 });
      assert.equal(output, '64');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });


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

  it('answers a burst that uses one key (the batch then names its key once)', async () => {
    const signer = thread.register(pairs.EdDSA.privateKey, pairs.EdDSA.digest);
    const inputs = Array.from({ length: 50 }, (_, i) => `eyJhbGciOiJFZERTQSJ9.payload-${i}`);
    const signatures = await Promise.all(inputs.map((data) => signer.sign(data)));
    inputs.forEach((data, i) => assert.ok(verifies(pairs.EdDSA.publicKey, null, data, signatures[i]!), `signature ${i}`));
  });

  it('refuses data that is not a JWS signing input, without disturbing the batch it would have joined', async () => {
    const signer = thread.register(pairs.ES256.privateKey, 'sha256');
    const [refused, fine] = await Promise.allSettled([signer.sign('line one\nline two'), signer.sign('header.payload')]);
    assert.equal(refused.status, 'rejected');
    assert.match(String(refused.status === 'rejected' && refused.reason), /JWS signing inputs only/);
    assert.ok(fine.status === 'fulfilled' && verifies(pairs.ES256.publicKey, 'sha256', 'header.payload', fine.value));
  });

  it('fails only the signature whose key cannot sign, and goes on serving the others', async () => {
    const broken = thread.register(pairs.ES256.privateKey, 'no-such-digest');
    const good = thread.register(pairs.ES256.privateKey, 'sha256');
    const [bad, fine] = await Promise.allSettled([broken.sign('x'), good.sign('y')]);
    assert.equal(bad.status, 'rejected');
    assert.match(String(bad.status === 'rejected' && bad.reason), /signing failed/);
    assert.equal(fine.status, 'fulfilled');
    assert.ok(verifies(pairs.ES256.publicKey, 'sha256', 'y', fine.status === 'fulfilled' ? fine.value : ''));
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
    // One batch, answered in one message: 200 RSA signatures take the thread far longer than the stop takes to arrive.
    const outcomes = await Promise.allSettled(owed);
    for (const outcome of outcomes) {
      assert.equal(outcome.status, 'rejected');
      assert.match(String(outcome.reason), /signing thread stopped/);
    }
    assert.ok(verifies(pairs.RS256.publicKey, pairs.RS256.digest, 'after', await signer.sign('after')));
  });
});

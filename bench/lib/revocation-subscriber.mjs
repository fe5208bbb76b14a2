/**
 * One SDK subscriber of the revocation-propagation benchmark, run as its own process:
 *   node bench/lib/revocation-subscriber.mjs ISSUER CLIENT_ID CLIENT_SECRET   (with an IPC channel)
 * It holds @tessera/verify's revocation feed. The parent sends `{ watch: { key, claims, kid } }`, the
 * claims of a token about to be revoked; the subscriber answers `{ watching: key }`, then checks the
 * watched claims after every feed event it applies and sends `{ refused: key }` the moment its
 * revocation check refuses them. It exits when the parent disconnects.
 */
/* global fetch -- Node's built-in fetch (undici) */
import { createPublicKey } from 'node:crypto';
import { startRevocationFeed } from '../../packages/verify/dist/revocations/index.js';

const [issuer, clientId, clientSecret] = process.argv.slice(2);
const jwks = await (await fetch(`${issuer}/jwks`)).json();
const keys = new Map(jwks.keys.map((jwk) => [jwk.kid, createPublicKey({ key: jwk, format: 'jwk' })]));
const watched = new Map();
let check;

function sweep() {
  if (!check) return;
  for (const [key, { claims, kid }] of watched) {
    if (check.isRevoked(claims, kid)) {
      watched.delete(key);
      process.send({ refused: key });
    }
  }
}

process.on('message', (message) => {
  if (!message.watch) return;
  const { key, claims, kid } = message.watch;
  watched.set(key, { claims, kid });
  process.send({ watching: key });
  sweep();
});

check = await startRevocationFeed({
  issuer,
  clientId,
  clientSecret,
  fetch,
  getKey: (kid) => keys.get(kid),
  clock: Date.now,
  onEvent: (event) => {
    if (event.type === 'applied') sweep();
  },
});
process.send({ ready: true });
process.once('disconnect', () => check.close().then(() => process.exit(0)));

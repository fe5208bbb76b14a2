// The detectors on events the real engine emits (login harness: memory store, frozen clock), so the
// fields they rely on (family id, session, IP, user agent) are proven to be there.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newNetworkDetector, refreshReuseDetector, type RequestContext } from '@tessera/core';
import { rejectsWith } from './support/harness.js';
import { accessWorks, loginHarness, loginTokens, refreshRequest, type LoginHarness } from './support/login-harness.js';
import { Outcomes } from './support/detector-traces.js';

const HOME: RequestContext = { ip: '198.51.100.7', userAgent: 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0' };
const THIEF: RequestContext = { ip: '203.0.113.200', userAgent: 'python-requests/2.32.3' };

const refresh = (h: LoginHarness, token: string, context: RequestContext) => h.server.token({ ...refreshRequest(h, token), context });

describe('detectors on the engine’s own events', () => {
  it('refresh-token reuse through the real grant: the alert carries the family history', async () => {
    const h = await loginHarness();
    const first = await loginTokens(h);
    const second = await refresh(h, first.refresh_token ?? '', HOME);
    h.clock.advance(600_000);
    await refresh(h, second.refresh_token ?? '', HOME);
    await rejectsWith(refresh(h, first.refresh_token ?? '', THIEF), 'invalid_grant');
    const out = new Outcomes();
    const detector = refreshReuseDetector({ clock: h.clock, alerts: out });
    for (const event of h.events.events) detector.emit(event);
    assert.equal(out.alerts.length, 1);
    const history = out.alerts[0]?.details?.['history'] as { event: string; ip?: string }[];
    assert.deepEqual(history.map((u) => u.event), ['issued', 'refreshed', 'refreshed', 'reuse']);
    assert.equal(history.at(-1)?.ip, THIEF.ip);
    assert.ok(!JSON.stringify(out.alerts).includes(first.refresh_token ?? 'x'), 'no token in the alert');
  });

  it('refresh from a new network, configured to revoke: the family is revoked through AuthServer.revokeFamily', async () => {
    const h = await loginHarness();
    const first = await loginTokens(h);
    const second = await refresh(h, first.refresh_token ?? '', HOME);
    const stolen = await refresh(h, second.refresh_token ?? '', THIEF);
    assert.equal(await accessWorks(h, stolen.access_token), true);
    const out = new Outcomes();
    const pending: Promise<void>[] = [];
    const detector = newNetworkDetector(
      { clock: h.clock, alerts: out, responses: { revokeFamily: (id) => (pending.push(h.server.revokeFamily(id)), Promise.resolve()) } },
      { action: 'revoke' },
    );
    for (const event of h.events.events) detector.emit(event);
    await Promise.all(pending);
    assert.equal(out.alerts.length, 1);
    assert.equal(out.alerts[0]?.action, 'revoke');
    assert.equal(await accessWorks(h, stolen.access_token), false, 'the access token of the family is revoked');
    await rejectsWith(refresh(h, stolen.refresh_token ?? '', THIEF), 'invalid_grant');
  });
});

import { setTimeout as sleep } from 'node:timers/promises';
import type { Credentials } from './cli-http.js';
import type { Instance } from './cluster.js';

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

async function post(url: string, who: Credentials, body: Record<string, string>): Promise<Answer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${encodeURIComponent(who.id)}:${encodeURIComponent(who.secret)}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams(body).toString(),
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
}

const unavailable = (answer: Answer): boolean => answer.status === 503 && answer.body['error'] === 'temporarily_unavailable';

export interface OutageLoad {
  /** A point in the event sequence, for the *Since queries. */
  mark(): number;
  okSince(mark: number): number;
  /** Whether every instance answered at least `times` revocations with 200 (ok) or with 503 (not ok) since `mark`. */
  everyInstanceSince(mark: number, ok: boolean, times?: number): boolean;
  /** Stops the workers; resolves with every wrong answer seen and counts per instance and outcome. */
  stop(): Promise<{ wrong: string[]; counts: Record<string, number> }>;
}

/**
 * Two workers per instance: issue a token, revoke it, introspect it (and a token revoked before the
 * load) at the same instance. Acceptable: 200 with the right answer, or 503 temporarily_unavailable.
 * Wrong: any other status, a failed connection, or active:true for a token whose revocation was answered 200.
 */
export function runOutageLoad(instances: Instance[], client: Credentials, revokedBefore: string): OutageLoad {
  const events: { instance: string; ok: boolean }[] = [];
  const wrong: string[] = [];
  const counts: Record<string, number> = {};
  const count = (key: string): void => {
    counts[key] = (counts[key] ?? 0) + 1;
  };
  let running = true;

  const check = (what: string, answer: Answer, acceptable: (a: Answer) => boolean): boolean => {
    if (acceptable(answer)) return true;
    if (!unavailable(answer)) wrong.push(`${what}: ${answer.status} ${JSON.stringify(answer.body)}`);
    return false;
  };

  const worker = async (instance: Instance): Promise<void> => {
    while (running) {
      try {
        const revokedOld = await post(`${instance.url}/introspect`, client, { token: revokedBefore });
        check(`${instance.name} introspect revoked`, revokedOld, (a) => a.status === 200 && a.body['active'] === false);
        const issued = await post(`${instance.url}/token`, client, { grant_type: 'client_credentials' });
        if (!check(`${instance.name} token`, issued, (a) => a.status === 200)) {
          count(`${instance.name}.token.503`);
          continue;
        }
        const token = String(issued.body['access_token']);
        const revoked = await post(`${instance.url}/revoke`, client, { token });
        if (check(`${instance.name} revoke`, revoked, (a) => a.status === 200)) {
          events.push({ instance: instance.name, ok: true });
          count(`${instance.name}.revoke.200`);
          const after = await post(`${instance.url}/introspect`, client, { token });
          check(`${instance.name} introspect just revoked`, after, (a) => a.status === 200 && a.body['active'] === false);
        } else if (unavailable(revoked)) {
          events.push({ instance: instance.name, ok: false });
          count(`${instance.name}.revoke.503`);
        }
      } catch (error) {
        wrong.push(`${instance.name}: ${(error as Error).message}`);
      }
      await sleep(2); // pacing for a 2-core machine, not synchronisation
    }
  };
  const workers = instances.flatMap((instance) => [worker(instance), worker(instance)]);

  return {
    mark: () => events.length,
    okSince: (mark) => events.slice(mark).filter((e) => e.ok).length,
    everyInstanceSince: (mark, ok, times = 1) =>
      instances.every((i) => events.slice(mark).filter((e) => e.ok === ok && e.instance === i.name).length >= times),
    async stop() {
      running = false;
      await Promise.all(workers);
      return { wrong, counts };
    },
  };
}

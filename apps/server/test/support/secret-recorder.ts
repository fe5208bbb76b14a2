// Every secret the test servers of this process handed out or received, kept as fingerprints that make
// searching many log lines for them (or for a distinctive fragment of them) fast.

/** A fragment of this many base64url characters of a secret's random part is distinctive enough to count as a leak. */
export const WINDOW = 16;
/** Fingerprints are taken every STRIDE characters: any leaked run of WINDOW + STRIDE - 1 characters contains one. */
const STRIDE = 8;
/** Shorter values (a short password, a device user code) are searched for whole, when at least this long. */
const MIN_LENGTH = 8;
/**
 * A fingerprint or whole value counts only with at least this many different characters: random parts
 * always have (16 random base64url characters have 14 on average), while the junk that bad-input tests
 * send as a "token" (`__proto__`, `AAAA…`) or a parameter name the server rightly logs do not.
 */
const MIN_DISTINCT = 8;
const distinctive = (value: string): boolean => new Set(value).size >= MIN_DISTINCT;
const BASE64URL_RUN = /^[A-Za-z0-9_-]+$/;
const JWS = /^eyJ[A-Za-z0-9_-]*\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/;
/** A type prefix such as tsec_, trt_, tac_, tdc_: public by design (redact() keeps it), so not part of the fingerprint. */
const TYPE_PREFIX = /^[a-z]{1,6}_(?=[A-Za-z0-9_-]{16,})/;

class SecretRecorder {
  /** base64url fingerprint → a label for the report (the secret's kind and first characters). */
  readonly windows = new Map<string, string>();
  /** Whole values searched with includes(): passwords, user codes, anything not base64url. */
  readonly whole = new Map<string, string>();
  readonly #seen = new Set<string>();

  get size(): number {
    return this.#seen.size;
  }

  remember(value: unknown, kind: string): void {
    if (typeof value !== 'string') return;
    const secret = value.trim();
    if (secret.length < MIN_LENGTH || this.#seen.has(secret)) return;
    this.#seen.add(secret);
    const label = `${kind} ${secret.slice(0, 10)}…`;
    for (const part of sensitiveParts(secret)) this.#add(part, label);
  }

  #add(part: string, label: string): void {
    if (part.length >= WINDOW && BASE64URL_RUN.test(part)) {
      for (let i = 0; i + WINDOW <= part.length; i += STRIDE) this.#addWindow(part.slice(i, i + WINDOW), label);
      this.#addWindow(part.slice(-WINDOW), label);
      return;
    }
    if (part.length < MIN_LENGTH || !distinctive(part)) return;
    // Also as JSON, a URL and a form would carry it, in case a line holds it escaped.
    for (const form of new Set([part, JSON.stringify(part).slice(1, -1), encodeURIComponent(part), new URLSearchParams({ v: part }).toString().slice(2)])) {
      this.whole.set(form, label);
    }
  }

  #addWindow(window: string, label: string): void {
    if (distinctive(window)) this.windows.set(window, label);
  }
}

/**
 * The parts of a credential whose appearance in a log would be a leak. Identifiers that sit beside the
 * secret and are logged on purpose are left out: a JWS header (alg, kid), a session cookie's session id,
 * the client id in Basic credentials, a token's type prefix.
 */
export function sensitiveParts(secret: string): string[] {
  const scheme = /^(Basic|Bearer|DPoP) +(\S+)$/i.exec(secret);
  if (scheme?.[1] && scheme[2]) {
    if (scheme[1].toLowerCase() !== 'basic') return sensitiveParts(scheme[2]);
    const decoded = Buffer.from(scheme[2], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    // Without a colon there is no secret in it, only (at most) a client id, which is logged on purpose.
    const blob = scheme[2].replace(/=+$/, '');
    return colon === -1 ? [blob] : [blob, ...sensitiveParts(safeDecode(decoded.slice(colon + 1)))];
  }
  const jws = JWS.exec(secret);
  if (jws?.[1] && jws[2]) return [jws[1], jws[2]];
  const dots = secret.split('.');
  if (dots.length === 2 && (dots[1] ?? '').length >= WINDOW) return [dots[1] as string];
  const prefix = TYPE_PREFIX.exec(secret);
  return [prefix ? secret.slice(prefix[0].length) : secret];
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return value;
  }
}

/** One recorder per test process: a secret of one server found in another's logs is a leak too. */
export const secrets = new SecretRecorder();

/** For tests and helpers that create a secret themselves (a password set through a helper, a webhook key). */
export const rememberSecret = (value: string | undefined, kind = 'secret'): void => secrets.remember(value, kind);

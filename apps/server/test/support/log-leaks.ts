import { secrets, WINDOW } from './secret-recorder.js';

const RUNS = /[A-Za-z0-9_-]{16,}/g;

/** The line, plus any byte buffer pino serialised as {"type":"Buffer","data":[…]} decoded back to text. */
function texts(line: string): string[] {
  if (!line.includes('"Buffer"')) return [line];
  const decoded = [line];
  try {
    JSON.parse(line, (_key, value: unknown) => {
      const buffer = value as { type?: unknown; data?: unknown };
      if (buffer && buffer.type === 'Buffer' && Array.isArray(buffer.data)) decoded.push(Buffer.from(buffer.data as number[]).toString('latin1'));
      return value;
    });
  } catch {
    // Not JSON: searched as it is.
  }
  return decoded;
}

function leakIn(text: string): string | undefined {
  for (const run of text.match(RUNS) ?? []) {
    for (let i = 0; i + WINDOW <= run.length; i++) {
      const label = secrets.windows.get(run.slice(i, i + WINDOW));
      if (label !== undefined) return label;
    }
  }
  for (const [value, label] of secrets.whole) if (text.includes(value)) return label;
  return undefined;
}

/**
 * Every captured log line that holds a recorded secret or a distinctive fragment of one (any run of
 * WINDOW + 7 base64url characters of its random part), described without repeating the secret.
 */
export function findLeaks(lines: readonly string[]): string[] {
  const leaks: string[] = [];
  for (const line of lines) {
    for (const text of texts(line)) {
      const label = leakIn(text);
      if (label !== undefined) {
        leaks.push(`${label} in a log line: ${describe(line)}`);
        break;
      }
    }
  }
  return leaks;
}

/** Where the leak is, without the secret: the line's message and keys. */
function describe(line: string): string {
  try {
    const parsed = JSON.parse(line) as Record<string, unknown>;
    return `msg=${JSON.stringify(parsed['msg'])} keys=${Object.keys(parsed).join(',')}`;
  } catch {
    return `(not JSON, ${line.length} characters)`;
  }
}

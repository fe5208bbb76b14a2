const UNITS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86_400 };

/** Parses "90", "30s", "10m", "24h", "7d" (or "250ms") into seconds. Throws on anything else. */
export function parseDurationSeconds(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(text.trim());
  if (!match) throw new Error(`"${text}" is not a duration (use e.g. 30s, 10m, 24h, 7d)`);
  return Number(match[1]) * (UNITS[match[2] ?? 's'] ?? 1);
}

/** The shortest exact text for a number of seconds, e.g. 600 → "10m". */
export function formatDuration(seconds: number): string {
  for (const [unit, size] of [['d', 86_400], ['h', 3600], ['m', 60]] as const) {
    if (seconds >= size && seconds % size === 0) return `${seconds / size}${unit}`;
  }
  return `${seconds}s`;
}

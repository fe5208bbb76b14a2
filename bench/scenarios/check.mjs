/** Assertions for the one-off correctness check a scenario makes before it measures a target. */

/** A target answered wrongly: reported as one line, without a stack. */
export class TargetCheckError extends Error {
  name = 'TargetCheckError';
}

export function expect(condition, target, what, response) {
  if (condition) return;
  const answer = response ? ` (HTTP ${response.status}: ${String(response.text).slice(0, 300)})` : '';
  throw new TargetCheckError(`${target.label}: ${what}${answer}`);
}

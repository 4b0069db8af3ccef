/**
 * Exponential backoff with "equal jitter": half of each delay is fixed, half random. Unlike full
 * jitter, consecutive delays never shrink below the previous step's floor, so gaps between
 * attempts grow, while concurrent failures still spread out.
 *
 * @param retry 1 for the delay before the second attempt, 2 before the third, …
 * @param base delay of the first retry before jitter, in any unit; the result is in the same unit
 * @param cap upper bound of any delay
 * @example
 * backoffDelay(3, 2, 300); // between 4 and 8
 */
export function backoffDelay(
  retry: number,
  base: number,
  cap: number,
  random: () => number = Math.random,
): number {
  const exponential = Math.min(cap, base * 2 ** Math.max(0, retry - 1));
  return exponential / 2 + random() * (exponential / 2);
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The one way a benchmark reports that it has nothing true to print: a {@linkcode BenchFailure}
 * names the process or loop that was measured and says why its figure would be a lie (it died,
 * stalled, or did not do the work it was asked). `deno task bench` prints it and exits non-zero.
 *
 * @module
 */

/**
 * A measurement that did not measure what it claims.
 *
 * @example
 * ```ts
 * import { BenchFailure } from "./bench_failure.ts";
 * const error = new BenchFailure("capture (deno task capture)", "exited with code 2 before its window");
 * console.log(error.message); // "capture (deno task capture): exited with code 2 before its window"
 * ```
 */
export class BenchFailure extends Error {
  /** the process or loop that was measured */
  readonly subject: string;
  /** why its measurement cannot be reported */
  readonly reason: string;

  /** `subject`: what was measured; `reason`: what went wrong with it. */
  constructor(subject: string, reason: string, options?: ErrorOptions) {
    super(`${subject}: ${reason}`, options);
    this.name = "BenchFailure";
    this.subject = subject;
    this.reason = reason;
  }
}

/**
 * Throws a {@linkcode BenchFailure} unless `condition` holds: the check each benchmark makes that
 * its measured loop did the work it reports on.
 *
 * @example
 * ```ts
 * import { expectWork } from "./bench_failure.ts";
 * const frames = 12;
 * expectWork(frames === 12, "analyzer", `analysed ${frames} frames, expected 12`);
 * ```
 */
export function expectWork(condition: boolean, subject: string, reason: string): asserts condition {
  if (!condition) throw new BenchFailure(subject, reason);
}

/**
 * Waits for `work`, or throws a {@linkcode BenchFailure} saying `subject` stalled when it has not
 * settled after `ms`: a measured loop that hangs must end the benchmark, not the user's patience.
 *
 * @example
 * ```ts
 * import { within } from "./bench_failure.ts";
 * const n = await within(Promise.resolve(3), 1000, "queue consumer", "consuming 3 tasks");
 * console.log(n); // 3
 * ```
 */
export async function within<T>(work: Promise<T>, ms: number, subject: string, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const stalled = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new BenchFailure(subject, `stalled: ${what} had not finished after ${(ms / 1000).toFixed(0)} s`),
        ),
      ms,
    );
  });
  try {
    return await Promise.race([work, stalled]);
  } finally {
    clearTimeout(timer);
  }
}

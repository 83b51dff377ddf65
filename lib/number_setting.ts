/**
 * A numeric setting's rule, written once beside the code that uses it and read by both that
 * code (options checked with `RangeError`) and the configuration (environment variables and the
 * cameras file checked with `ConfigError`), so that a default or a bound is never written twice.
 *
 * @module
 */

/**
 * A number's bounds, both included.
 *
 * @example
 * ```ts
 * import { fitsSetting, type NumberRange } from "./number_setting.ts";
 * const port: NumberRange = { min: 1, max: 65535, integer: true };
 * console.log(fitsSetting(8554, port), fitsSetting(0.5, port)); // true false
 * ```
 */
export interface NumberRange {
  /** smallest allowed value (`-Infinity` for none) */
  readonly min: number;
  /**
   * Largest allowed value.
   * @default Infinity
   */
  readonly max?: number;
  /**
   * Whole numbers only.
   * @default false
   */
  readonly integer?: boolean;
}

/**
 * A number's default and bounds.
 *
 * @example
 * ```ts
 * import { checkSetting, type NumberSetting } from "./number_setting.ts";
 * const quality: NumberSetting = { default: 85, min: 1, max: 100, integer: true };
 * console.log(checkSetting("quality", undefined, quality)); // 85
 * ```
 */
export interface NumberSetting extends NumberRange {
  /** the value when none is given; it is checked against the bounds like any other */
  readonly default: number;
}

/**
 * What a setting accepts, in words: `a number between 1 and 255`, `an integer of at least 1`.
 *
 * @returns a phrase to follow "must be" in a message; an infinite bound is left out (`a number` when
 *   both are)
 *
 * @example
 * ```ts
 * import { describeSetting } from "./number_setting.ts";
 * console.log(describeSetting({ min: 1, max: 255 })); // "a number between 1 and 255"
 * ```
 */
export function describeSetting(setting: NumberRange): string {
  const { min, max = Infinity, integer = false } = setting;
  const kind = integer ? "an integer" : "a number";
  if (min > -Infinity && max < Infinity) return `${kind} between ${min} and ${max}`;
  if (min > -Infinity) return `${kind} of at least ${min}`;
  if (max < Infinity) return `${kind} of at most ${max}`;
  return kind;
}

/**
 * Whether a value obeys a setting's bounds (finite, within them, whole when asked).
 *
 * @param value anything: a string such as `"5"` is not a number and does not fit
 * @returns false for NaN and the infinities, whatever the bounds
 *
 * @example
 * ```ts
 * import { fitsSetting } from "./number_setting.ts";
 * console.log(fitsSetting(300, { min: 1, max: 255 })); // false
 * ```
 */
export function fitsSetting(value: unknown, setting: NumberRange): value is number {
  const { min, max = Infinity, integer = false } = setting;
  return typeof value === "number" && Number.isFinite(value) && value >= min && value <= max &&
    (!integer || Number.isInteger(value));
}

/**
 * An option's value, or its default when undefined; throws a `RangeError` naming the option
 * when it is out of bounds.
 *
 * @param name the option's name, as the caller wrote it (`"threshold"`, `"motion minArea"`), for the message
 * @param value the option as given; `undefined` (or null) takes `setting.default`
 * @throws {RangeError} when the value (or the default) is not a finite number within the bounds, or is
 *   not whole where `integer` is set: `"<name> must be <what it accepts>, got <value>"`
 *
 * @example
 * ```ts
 * import { checkSetting } from "./number_setting.ts";
 * const threshold = { default: 25, min: 1, max: 255 };
 * console.log(checkSetting("threshold", undefined, threshold)); // 25
 * try {
 *   checkSetting("threshold", 0, threshold);
 * } catch (e) {
 *   console.log((e as RangeError).message); // "threshold must be a number between 1 and 255, got 0"
 * }
 * ```
 */
export function checkSetting(name: string, value: number | undefined, setting: NumberSetting): number {
  const v = value ?? setting.default;
  if (!fitsSetting(v, setting)) throw new RangeError(`${name} must be ${describeSetting(setting)}, got ${v}`);
  return v;
}

/**
 * The few error classes users of the toolkit catch. Each keeps the underlying `cause`, and its
 * message says what went wrong in words a user can act on.
 *
 * @module
 */

/**
 * Base class of every error the toolkit throws on purpose.
 *
 * @example
 * ```ts
 * import { CamwatchError } from "./errors.ts";
 * try {
 *   throw new CamwatchError("something failed");
 * } catch (e) {
 *   if (e instanceof CamwatchError) console.error(e.message);
 * }
 * ```
 */
export class CamwatchError extends Error {
  /** Creates an error; pass `{ cause }` to keep the original error. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * A model file that cannot be used: missing, not ONNX, not a detection model, or without the
 * metadata the analyzer needs.
 *
 * @example
 * ```ts
 * import { ModelError } from "./errors.ts";
 * const err = new ModelError("the model has no class names");
 * console.log(err.name); // "ModelError"
 * ```
 */
export class ModelError extends CamwatchError {}

/**
 * An image or video that cannot be read: missing, not media, or corrupt.
 *
 * @example
 * ```ts
 * import { MediaError } from "./errors.ts";
 * const err = new MediaError("clip.mp4: moov atom not found", { cause: new Error("ffmpeg exit 1") });
 * console.log(err.message);
 * ```
 */
export class MediaError extends CamwatchError {}

/**
 * A configuration value (environment variable, option, argument) that is missing or invalid.
 * The message names the setting.
 *
 * @example
 * ```ts
 * import { ConfigError } from "./errors.ts";
 * throw new ConfigError("YOLO_CONF must be a number between 0 and 1, got 'high'");
 * ```
 */
export class ConfigError extends CamwatchError {}

/**
 * The few error classes users of the toolkit catch. Each keeps the underlying `cause`, and its
 * message says what went wrong in words a user can act on.
 *
 * @module
 */

/**
 * Base class of every error the toolkit throws on purpose: `catch (e) { if (e instanceof
 * CamwatchError) … }` tells them from bugs and from errors of the runtime. Its subclasses are
 * {@linkcode ModelError}, {@linkcode MediaError}, {@linkcode ConfigError}, and those of the
 * modules that need their own (`QueueError`, `TaskError`, `ClipError`, `RtspSourceError`,
 * `DatasetError`, `ProbeTimeoutError`).
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
  /**
   * Creates an error whose `name` is its class's own (`"MediaError"` for a `MediaError`, and
   * so for every subclass), so that logs and stack traces name it.
   *
   * @param message what went wrong, shown to the user as it is
   * @param options `{ cause }`: the error this one explains (an ffmpeg failure, a `Deno.errors.NotFound`)
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * A model file that cannot be used: missing, not ONNX, not a detection model, or without the
 * metadata the analyzer needs. Thrown by `YoloAnalyzer.create` and the worker's model session
 * (lib/yolo).
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
 * An image or video that cannot be read: missing, not media, or corrupt; also ffmpeg or ffprobe
 * not installed. Thrown by the media readers (lib/media), the analyzer (lib/yolo), and the
 * notebook helpers that read clips or cameras (`grabFrame`, `previewMotion`, `clipTimeline`,
 * `exportYoloDataset`). The message names the file (a camera's URL with its password masked)
 * and quotes ffmpeg's reason.
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
 * The message names the setting. Thrown by the settings readers
 * (lib/ops/config.ts), the cameras file reader and the logger's set-up; options passed in code
 * are checked with `RangeError` instead (see lib/number_setting.ts).
 *
 * @example
 * ```ts
 * import { ConfigError } from "./errors.ts";
 * throw new ConfigError("YOLO_CONF must be a number between 0 and 1, got 'high'");
 * ```
 */
export class ConfigError extends CamwatchError {}

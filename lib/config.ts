/**
 * Settings from environment variables, validated once at start. A bad value stops the process
 * with a {@linkcode ConfigError} that names the variable and says what it should be.
 *
 * @module
 */

import { ConfigError } from "./errors.ts";

/** Environment variables, as `Deno.env.toObject()` gives them. */
export type Env = Readonly<Record<string, string | undefined>>;

/** Analysis settings (`deno task analyze`, the worker). */
export interface AnalyzerSettings {
  /** `YOLO_MODEL`: path of the ONNX model; undefined means the bundled one */
  readonly model: string | undefined;
  /** `YOLO_CONF`: minimum score, 0..1 (default 0.25) */
  readonly confidence: number;
  /** `YOLO_IOU`: NMS IoU threshold, 0..1 (default 0.7) */
  readonly iou: number;
  /** `YOLO_THREADS`: ONNX Runtime threads (default 1) */
  readonly threads: number;
  /** `SAMPLE_FPS`: frames per second analysed in videos, or `all` (default 2) */
  readonly sampleFps: number | "all";
}

/**
 * Reads a variable, with surrounding whitespace and quotes (as in .env files) removed; an empty
 * value counts as unset.
 *
 * @example
 * ```ts
 * import { readVar } from "./config.ts";
 * console.log(readVar({ RDSQ_OUTMSG: "'video_queue'" }, "RDSQ_OUTMSG")); // "video_queue"
 * ```
 */
export function readVar(env: Env, name: string): string | undefined {
  const raw = env[name];
  if (raw === undefined) return undefined;
  const value = raw.trim().replace(/^(['"])(.*)\1$/, "$2");
  return value === "" ? undefined : value;
}

/**
 * A number variable within bounds, or the default when unset.
 *
 * @example
 * ```ts
 * import { numberVar } from "./config.ts";
 * console.log(numberVar({ YOLO_CONF: "0.4" }, "YOLO_CONF", 0.25, { min: 0, max: 1 })); // 0.4
 * ```
 */
export function numberVar(
  env: Env,
  name: string,
  fallback: number,
  bounds: { min?: number; max?: number; integer?: boolean } = {},
): number {
  const text = readVar(env, name);
  if (text === undefined) return fallback;
  const value = Number(text);
  const { min = -Infinity, max = Infinity, integer = false } = bounds;
  const ok = Number.isFinite(value) && value >= min && value <= max &&
    (!integer || Number.isInteger(value));
  if (!ok) {
    const kind = integer ? "an integer" : "a number";
    const range = min > -Infinity && max < Infinity
      ? ` between ${min} and ${max}`
      : min > -Infinity
      ? ` of at least ${min}`
      : "";
    throw new ConfigError(`${name} must be ${kind}${range}, got ${JSON.stringify(text)}`);
  }
  return value;
}

/**
 * Parses a frames-per-second value: a positive number or `all`.
 *
 * @example
 * ```ts
 * import { parseSampleFps } from "./config.ts";
 * console.log(parseSampleFps("0.5", "SAMPLE_FPS"), parseSampleFps("all", "SAMPLE_FPS")); // 0.5 "all"
 * ```
 */
export function parseSampleFps(text: string, name: string): number | "all" {
  if (text.toLowerCase() === "all") return "all";
  const value = Number(text);
  if (!(Number.isFinite(value) && value > 0)) {
    throw new ConfigError(
      `${name} must be a positive number of frames per second or "all", got ${JSON.stringify(text)}`,
    );
  }
  return value;
}

/**
 * Reads the analysis settings from the environment.
 *
 * @example
 * ```ts
 * import { readAnalyzerSettings } from "./config.ts";
 * const settings = readAnalyzerSettings({ YOLO_CONF: "0.4", SAMPLE_FPS: "all" });
 * console.log(settings.confidence, settings.sampleFps); // 0.4 "all"
 * ```
 */
export function readAnalyzerSettings(env: Env = Deno.env.toObject()): AnalyzerSettings {
  const fps = readVar(env, "SAMPLE_FPS");
  return {
    model: readVar(env, "YOLO_MODEL"),
    confidence: numberVar(env, "YOLO_CONF", 0.25, { min: 0, max: 1 }),
    iou: numberVar(env, "YOLO_IOU", 0.7, { min: 0, max: 1 }),
    threads: numberVar(env, "YOLO_THREADS", 1, { min: 1, max: 256, integer: true }),
    sampleFps: fps === undefined ? 2 : parseSampleFps(fps, "SAMPLE_FPS"),
  };
}

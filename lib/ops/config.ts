/**
 * Settings from environment variables, validated once at start. A bad value stops the process
 * with a {@linkcode ConfigError} that names the variable and says what it should be.
 *
 * @module
 */

import { ConfigError } from "../errors.ts";
import { redactUrl } from "./redact.ts";
import { defaultLogPath, QUEUE_DEFAULTS } from "../queue/queue_defaults.ts";
import type { RedisTarget } from "../queue/redis_connection.ts";
import { CAMERA_NAME_RULE, isCameraName } from "../capture/camera_name.ts";
import { CLIP_TIMING } from "../capture/clip_timing.ts";
import { STORAGE_SETTINGS } from "../capture/clip_storage.ts";
import { CAMERA_URL_RULE, isCameraUrl, passwordEncodingProblem } from "../capture/camera_url.ts";
import {
  type CameraEntry,
  objectFiltersSchema,
  objectMasksSchema,
  parseCamerasFile,
  parseSettingValue,
  zonesSchema,
} from "./cameras_file.ts";
import { TRACKER_SETTINGS } from "../yolo/object_tracker.ts";
import { CONFIRMATION_SETTINGS } from "../yolo/track_confirmation.ts";
import type { TrackingOptions } from "../yolo/clip_tracks.ts";
import { MOTION_SETTINGS } from "../capture/motion_detector.ts";
import { CAPTURE_STREAM_SETTINGS, HWACCELS } from "../media/ffmpeg.ts";
import { describeSetting, fitsSetting, type NumberSetting } from "../number_setting.ts";

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
 * @returns the value trimmed and without one pair of surrounding quotes (as a compose file may leave them);
 *   undefined when unset, empty or only white space
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
 * @param fallback returned as is when the variable is unset or empty (not checked against `bounds`)
 * @param bounds inclusive; without any, every finite number is accepted
 * @throws {ConfigError} naming the variable when its value is not a finite number, is out of bounds, or is
 *   not whole when `integer` is set
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
  if (!fitsSetting(value, { min: -Infinity, ...bounds })) {
    throw new ConfigError(
      `${name} must be ${describeSetting({ min: -Infinity, ...bounds })}, got ${JSON.stringify(text)}`,
    );
  }
  return value;
}

/**
 * A number variable read against a setting's rule (its default and bounds, defined beside the
 * code that uses it).
 *
 * @throws {ConfigError} naming the variable when its value breaks the setting's bounds (the message says them
 *   in words)
 *
 * @example
 * ```ts
 * import { settingVar } from "./config.ts";
 * import { CLIP_TIMING } from "../capture/clip_timing.ts";
 * console.log(settingVar({}, "CLIP_SECONDS", CLIP_TIMING.clipSeconds)); // 30
 * ```
 */
export function settingVar(env: Env, name: string, setting: NumberSetting): number {
  return numberVar(env, name, setting.default, setting);
}

/**
 * Parses a frames-per-second value: a positive number or `all`.
 *
 * @param name the variable's name, for the message
 * @returns `"all"` for `all` in any case, otherwise the number
 * @throws {ConfigError} when the text is neither `all` nor a positive finite number
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
 * @throws {ConfigError} when `YOLO_CONF` or `YOLO_IOU` is not in 0..1, `YOLO_THREADS` is not an integer in
 *   1..256, or `SAMPLE_FPS` is neither `all` nor a positive number; the model path is not checked here
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

/** One camera of the capture. */
export interface CameraSettings {
  /** name: letters, digits, `_`, `-` (folder of its clips) */
  readonly name: string;
  /** `rtsp://…`, `rtsps://…`, `http(s)://…` (MJPEG) or a video file */
  readonly url: string;
  /** RTSP transport */
  readonly transport: "tcp" | "udp";
  /** motion threshold, grey levels 1..255 */
  readonly threshold: number;
  /** smallest moving region, fraction of the frame */
  readonly minArea: number;
  /** regions to ignore, polygons of `[x, y]` frame fractions */
  readonly masks: [number, number][][];
  /** the sub-stream watched for motion while `url` is recorded (`DETECT_URL`, or the file's `detectUrl`) */
  readonly detectUrl?: string;
  /** keep the camera's sound (`AUDIO`, default on) */
  readonly audio: boolean;
}

/** Capture settings (`deno task capture`). */
export interface CaptureSettings {
  /** `VIDEO_DIR`: where clips go (default `video`) */
  readonly videoDir: string;
  /** the cameras: `RTSP_URL` + `CAMERA_NAME`, or the `cameras` of `CAMERAS_FILE` */
  readonly cameras: readonly CameraSettings[];
  /** `CLIP_SECONDS` after the motion starts (default 30) */
  readonly clipSeconds: number;
  /** `PREROLL_SECONDS` before it (default 5) */
  readonly prerollSeconds: number;
  /** `MAX_CLIP_SECONDS`: longest clip after the motion starts, while it goes on (default 120) */
  readonly maxClipSeconds: number;
  /** `COOLDOWN_SECONDS`: a clip ends no sooner after the last motion (default 5) */
  readonly cooldownSeconds: number;
  /** `MOTION_FPS`: grey frames per second examined (default 5) */
  readonly motionFps: number;
  /** `RETENTION_DAYS`: delete clips older than this (default: keep) */
  readonly retentionDays: number | undefined;
  /** `RETENTION_GB`: keep the video folder (every camera's clips, the cache, the log) under this size (default: no limit) */
  readonly retentionGb: number | undefined;
  /** `FFMPEG_HWACCEL`: ffmpeg's `-hwaccel` for the stream decoded for motion (default none) */
  readonly hwaccel: string | undefined;
  /** `MIN_FREE_MB`: keep this much free on the video folder's disk, deleting the oldest clips (default 1024; 0: off) */
  readonly minFreeMb: number;
}

function checkUrl(url: string, where: string): string {
  // A password the URL cannot carry as written would reach the wrong host, or none: said first, precisely.
  const problem = passwordEncodingProblem(url);
  if (problem) {
    throw new ConfigError(
      `${where} holds a password its URL cannot carry: ${problem}, got ${JSON.stringify(redactUrl(url))}`,
    );
  }
  if (!isCameraUrl(url)) {
    throw new ConfigError(`${where} must be ${CAMERA_URL_RULE}, got ${JSON.stringify(redactUrl(url))}`);
  }
  return url;
}

/** `on`/`off` (or true/false, yes/no, 1/0), any case; undefined when unset. */
function switchVar(env: Env, name: string): boolean | undefined {
  const text = readVar(env, name);
  if (text === undefined) return undefined;
  const value = { on: true, true: true, yes: true, 1: true, off: false, false: false, no: false, 0: false }[
    text.toLowerCase()
  ];
  if (value === undefined) throw new ConfigError(`${name} must be on or off, got ${JSON.stringify(text)}`);
  return value;
}

function checkHwaccel(value: string | undefined): string | undefined {
  if (value === undefined || HWACCELS.includes(value)) return value;
  throw new ConfigError(`FFMPEG_HWACCEL must be one of ${HWACCELS.join(", ")}, got ${JSON.stringify(value)}`);
}

function checkTransport(value: string | undefined, where: string): "tcp" | "udp" {
  const t = (value ?? "tcp").toLowerCase();
  if (t !== "tcp" && t !== "udp") {
    throw new ConfigError(`${where} must be tcp or udp, got ${JSON.stringify(value)}`);
  }
  return t;
}

/**
 * Reads the capture settings: one camera from `RTSP_URL` (and `CAMERA_NAME`), or several from
 * the JSON file named by `CAMERAS_FILE` (`{"cameras": [{"name", "url", "transport",
 * "threshold", "minArea", "masks"}]}`; the environment gives the defaults).
 *
 * @throws {ConfigError} when a timing, `MOTION_THRESHOLD`, `MOTION_MIN_AREA`, `MOTION_FPS` or a retention
 *   limit is out of bounds, `MAX_CLIP_SECONDS` is below `CLIP_SECONDS`, `RTSP_TRANSPORT` is not tcp or udp,
 *   the cameras file cannot be read or is not valid, or (without a cameras file) `RTSP_URL` is unset or not a
 *   camera URL or `CAMERA_NAME` is not a valid name
 *
 * @example
 * ```ts
 * import { readCaptureSettings } from "./config.ts";
 * const s = readCaptureSettings({ RTSP_URL: "rtsp://cam.local/stream", CAMERA_NAME: "front" });
 * console.log(s.cameras[0].name, s.clipSeconds); // "front" 30
 * ```
 */
export function readCaptureSettings(env: Env = Deno.env.toObject()): CaptureSettings {
  const clipSeconds = settingVar(env, "CLIP_SECONDS", CLIP_TIMING.clipSeconds);
  const maxClipSeconds = numberVar(
    env,
    "MAX_CLIP_SECONDS",
    Math.max(CLIP_TIMING.maxClipSeconds.default, clipSeconds),
    CLIP_TIMING.maxClipSeconds,
  );
  if (maxClipSeconds < clipSeconds) {
    throw new ConfigError(
      `MAX_CLIP_SECONDS (${maxClipSeconds}) must be at least CLIP_SECONDS (${clipSeconds})`,
    );
  }
  const threshold = settingVar(env, "MOTION_THRESHOLD", MOTION_SETTINGS.threshold);
  const minArea = settingVar(env, "MOTION_MIN_AREA", MOTION_SETTINGS.minArea);
  const transport = checkTransport(readVar(env, "RTSP_TRANSPORT"), "RTSP_TRANSPORT");
  const audio = switchVar(env, "AUDIO") ?? true;
  const retentionGb = readVar(env, "RETENTION_GB") === undefined
    ? undefined
    : numberVar(env, "RETENTION_GB", 0, { min: 0.001 });
  const retentionDays = readVar(env, "RETENTION_DAYS") === undefined
    ? undefined
    : numberVar(env, "RETENTION_DAYS", 0, { min: 0.001 });

  let cameras: CameraSettings[];
  const file = readVar(env, "CAMERAS_FILE");
  if (file !== undefined) {
    cameras = readCamerasFile(file).map((c, i) => ({
      name: c.name,
      url: checkUrl(c.url, `CAMERAS_FILE ${file}: cameras[${i}].url`),
      transport: c.transport ?? transport,
      threshold: c.threshold ?? threshold,
      minArea: c.minArea ?? minArea,
      masks: c.masks ?? [],
      ...(c.detectUrl === undefined
        ? {}
        : { detectUrl: checkUrl(c.detectUrl, `CAMERAS_FILE ${file}: cameras[${i}].detectUrl`) }),
      audio: c.audio ?? audio,
    }));
  } else {
    const url = readVar(env, "RTSP_URL");
    if (url === undefined) {
      throw new ConfigError("RTSP_URL is not set: give the camera URL (or CAMERAS_FILE for several cameras)");
    }
    const name = readVar(env, "CAMERA_NAME") ?? "camera";
    if (!isCameraName(name)) {
      throw new ConfigError(`CAMERA_NAME must be ${CAMERA_NAME_RULE}, got ${JSON.stringify(name)}`);
    }
    const detectUrl = readVar(env, "DETECT_URL");
    cameras = [{
      name,
      url: checkUrl(url, "RTSP_URL"),
      transport,
      threshold,
      minArea,
      masks: [],
      ...(detectUrl === undefined ? {} : { detectUrl: checkUrl(detectUrl, "DETECT_URL") }),
      audio,
    }];
  }
  return {
    videoDir: readVar(env, "VIDEO_DIR") ?? "video",
    cameras,
    clipSeconds,
    prerollSeconds: settingVar(env, "PREROLL_SECONDS", CLIP_TIMING.prerollSeconds),
    maxClipSeconds,
    cooldownSeconds: settingVar(env, "COOLDOWN_SECONDS", CLIP_TIMING.cooldownSeconds),
    motionFps: settingVar(env, "MOTION_FPS", CAPTURE_STREAM_SETTINGS.motionFps),
    retentionDays,
    retentionGb,
    minFreeMb: settingVar(env, "MIN_FREE_MB", STORAGE_SETTINGS.minFreeMb),
    hwaccel: checkHwaccel(readVar(env, "FFMPEG_HWACCEL")),
  };
}

/** The cameras of `CAMERAS_FILE`, read and checked. */
function readCamerasFile(file: string): CameraEntry[] {
  let text: string;
  try {
    text = Deno.readTextFileSync(file);
  } catch (cause) {
    throw new ConfigError(`CAMERAS_FILE ${file} cannot be read: ${(cause as Error).message}`, { cause });
  }
  return parseCamerasFile(text, file);
}

/** A variable holding JSON, checked against a schema of the cameras file; undefined when unset. */
function jsonVar<T>(
  env: Env,
  name: string,
  schema: Parameters<typeof parseSettingValue<T>>[0],
): T | undefined {
  const text = readVar(env, name);
  if (text === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new ConfigError(`${name} must be JSON: ${(cause as Error).message}`, { cause });
  }
  return parseSettingValue(schema, value, name);
}

/** How the worker follows objects: the settings of every camera, and those of each camera of the cameras file. */
export interface TrackingSettings {
  /**
   * What a camera not named in `CAMERAS_FILE` gets (the one camera without a file): the tracker's and
   * confirmation's settings (`TRACK_*`, `STATIONARY_IOU`), `ZONES`, `OBJECT_FILTERS`, `OBJECT_MASKS`
   */
  readonly defaults: TrackingOptions;
  /** per camera of `CAMERAS_FILE`: the defaults, with its own `zones`, `filters` and `objectMasks` when it has them */
  readonly cameras: Readonly<Record<string, TrackingOptions>>;
  /** `CAMERAS_FILE`, when one was read */
  readonly camerasFile: string | undefined;
}

/**
 * Reads how the worker tracks objects: the tracker's and confirmation's settings from the environment
 * (their defaults and bounds are `TRACKER_SETTINGS` and `CONFIRMATION_SETTINGS`), the zones, per-class
 * filters and object masks of a single camera from `ZONES`, `OBJECT_FILTERS` and `OBJECT_MASKS` (JSON, as
 * the cameras file writes them), and each camera's own from `CAMERAS_FILE` (`zones`, `filters`,
 * `objectMasks`; a camera that leaves one out gets the environment's).
 *
 * @throws {ConfigError} naming the variable (or the cameras file's field) when a setting is out of bounds,
 *   a JSON variable is not JSON or breaks its schema (a zone named twice, `minArea` above `maxArea`, a
 *   polygon of two points), or the cameras file cannot be read or is not valid
 *
 * @example
 * ```ts
 * import { readTrackingSettings, trackingFor } from "./config.ts";
 * const s = readTrackingSettings({
 *   TRACK_MIN_SCORE: "0.6",
 *   ZONES: '[{"name": "door", "points": [[0, 0.5], [0.3, 0.5], [0.3, 1], [0, 1]]}]',
 * });
 * console.log(trackingFor(s, "front").minScore, trackingFor(s, "front").zones?.[0].name); // 0.6 "door"
 * ```
 */
export function readTrackingSettings(env: Env = Deno.env.toObject()): TrackingSettings {
  const t = TRACKER_SETTINGS;
  const c = CONFIRMATION_SETTINGS;
  const zones = jsonVar(env, "ZONES", zonesSchema);
  const filters = jsonVar(env, "OBJECT_FILTERS", objectFiltersSchema);
  const masks = jsonVar(env, "OBJECT_MASKS", objectMasksSchema);
  const defaults: TrackingOptions = {
    highScore: settingVar(env, "TRACK_HIGH_SCORE", t.highScore),
    matchIou: settingVar(env, "TRACK_MATCH_IOU", t.matchIou),
    maxDistance: settingVar(env, "TRACK_MAX_DISTANCE", t.maxDistance),
    maxLostSeconds: settingVar(env, "TRACK_MAX_LOST_SECONDS", t.maxLostSeconds),
    minScore: settingVar(env, "TRACK_MIN_SCORE", c.minScore),
    minFrames: settingVar(env, "TRACK_MIN_FRAMES", c.minFrames),
    stationaryIou: settingVar(env, "STATIONARY_IOU", c.stationaryIou),
    ...(zones ? { zones } : {}),
    ...(filters ? { filters } : {}),
    ...(masks ? { masks } : {}),
  };
  const file = readVar(env, "CAMERAS_FILE");
  const cameras: Record<string, TrackingOptions> = {};
  for (const camera of file === undefined ? [] : readCamerasFile(file)) {
    cameras[camera.name] = {
      ...defaults,
      ...(camera.zones ? { zones: camera.zones } : {}),
      ...(camera.filters ? { filters: camera.filters } : {}),
      ...(camera.objectMasks ? { masks: camera.objectMasks } : {}),
    };
  }
  return { defaults, cameras, camerasFile: file };
}

/**
 * The tracking options of one camera: its entry of the cameras file, else the defaults.
 *
 * @example
 * ```ts
 * import { readTrackingSettings, trackingFor } from "./config.ts";
 * console.log(trackingFor(readTrackingSettings({}), "front").minFrames); // 2
 * ```
 */
export function trackingFor(settings: TrackingSettings, camera: string): TrackingOptions {
  return Object.hasOwn(settings.cameras, camera) ? settings.cameras[camera] : settings.defaults;
}

/** Where the queue is (`deno task capture`, `deno task worker`, the demo). */
export interface QueueSettings {
  /** `REDIS_URL`, or `RDS_HOST` / `RDS_PORT` / `RDS_PSW` (the prototype's); undefined when unset */
  readonly redis: RedisTarget | undefined;
  /** `RDSQ_OUTMSG`: the stream (default `video_queue`; surrounding quotes stripped) */
  readonly stream: string;
}

/**
 * Reads where Redis is: `REDIS_URL` (`redis://` or `rediss://`), else the prototype's
 * `RDS_HOST`, `RDS_PORT` (6379) and `RDS_PSW`.
 *
 * @returns `redis` undefined when neither `REDIS_URL` nor `RDS_HOST` is set (the caller decides whether that
 *   is an error); `REDIS_URL` wins over `RDS_HOST`
 * @throws {ConfigError} when `RDSQ_OUTMSG` is not a stream name, `REDIS_URL` is not a `redis://` or
 *   `rediss://` URL (shown with its password masked), or `RDS_PORT` is not a port number
 *
 * @example
 * ```ts
 * import { readQueueSettings } from "./config.ts";
 * const q = readQueueSettings({ RDS_HOST: "redis", RDS_PSW: "pw", RDSQ_OUTMSG: "'video_queue'" });
 * console.log(q.stream); // "video_queue"
 * ```
 */
export function readQueueSettings(env: Env = Deno.env.toObject()): QueueSettings {
  const stream = readVar(env, "RDSQ_OUTMSG") ?? QUEUE_DEFAULTS.stream;
  if (!/^[\w:.-]{1,200}$/.test(stream)) {
    throw new ConfigError(
      `RDSQ_OUTMSG must be a stream name (letters, digits, _ : . -), got ${JSON.stringify(stream)}`,
    );
  }
  const url = readVar(env, "REDIS_URL");
  if (url !== undefined) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(url);
    } catch { /* reported below */ }
    if (!parsed || (parsed.protocol !== "redis:" && parsed.protocol !== "rediss:")) {
      throw new ConfigError(
        `REDIS_URL must be redis://[user:password@]host[:port][/db] or rediss://…, got ${
          JSON.stringify(redactUrl(url))
        }`,
      );
    }
    return { redis: url, stream };
  }
  const host = readVar(env, "RDS_HOST");
  if (host === undefined) return { redis: undefined, stream };
  const port = numberVar(env, "RDS_PORT", 6379, { min: 1, max: 65535, integer: true });
  return { redis: { host, port, password: readVar(env, "RDS_PSW") }, stream };
}

/** Worker settings (`deno task worker`). */
export interface WorkerSettings {
  /** `VIDEO_DIR`: the folder task paths are relative to (default `video`) */
  readonly videoDir: string;
  /**
   * `DETECTION_LOG`: the log, a folder of one file per day (default `<VIDEO_DIR>/detections.d`), or one file
   * when the path ends in `.jsonl` (the prototype's `<VIDEO_DIR>/detections_log.jsonl`)
   */
  readonly logPath: string;
  /** `WORKER_CONCURRENCY`: clips analysed at once (default 1) */
  readonly concurrency: number;
  /** `WORKER_NAME`: consumer name, unique per worker (default `<host>:<pid>`) */
  readonly name: string | undefined;
  /** `TASK_VISIBILITY_SECONDS`: a task unacknowledged this long is taken over (default 300) */
  readonly visibilitySeconds: number;
  /** `TASK_MAX_ATTEMPTS`: deliveries before a task goes to the dead letters (default 3) */
  readonly maxAttempts: number;
  /**
   * `EVIDENCE`: write each clip's detections CSV and object snapshots beside it (`on`, the default, or
   * `off`)
   */
  readonly evidence: boolean;
}

/**
 * Reads the worker settings.
 *
 * @throws {ConfigError} when `WORKER_CONCURRENCY` is not an integer in 1..64, `TASK_VISIBILITY_SECONDS` is
 *   not in 1..86400, `TASK_MAX_ATTEMPTS` is not an integer in 1..100, or `EVIDENCE` is not on or off
 *
 * @example
 * ```ts
 * import { readWorkerSettings } from "./config.ts";
 * console.log(readWorkerSettings({ VIDEO_DIR: "/srv/video" }).logPath); // "/srv/video/detections.d"
 * ```
 */
export function readWorkerSettings(env: Env = Deno.env.toObject()): WorkerSettings {
  const videoDir = readVar(env, "VIDEO_DIR") ?? "video";
  return {
    videoDir,
    logPath: readVar(env, "DETECTION_LOG") ?? defaultLogPath(videoDir),
    concurrency: numberVar(env, "WORKER_CONCURRENCY", 1, { min: 1, max: 64, integer: true }),
    name: readVar(env, "WORKER_NAME"),
    visibilitySeconds: numberVar(env, "TASK_VISIBILITY_SECONDS", QUEUE_DEFAULTS.visibilityTimeoutMs / 1000, {
      min: 1,
      max: 86_400,
    }),
    maxAttempts: numberVar(env, "TASK_MAX_ATTEMPTS", QUEUE_DEFAULTS.maxAttempts, {
      min: 1,
      max: 100,
      integer: true,
    }),
    evidence: switchVar(env, "EVIDENCE") ?? true,
  };
}

/** Where `/healthz` and `/metrics` are served. */
export interface MetricsSettings {
  /** `METRICS_PORT` (`off` disables them); undefined when off */
  readonly port: number | undefined;
  /** `METRICS_HOST`: address to listen on (default 127.0.0.1) */
  readonly hostname: string;
}

/**
 * Reads `METRICS_PORT` (a port, or `off`) and `METRICS_HOST`.
 *
 * @param defaultPort the port when `METRICS_PORT` is unset; each task has its own, so that capture and a
 *   worker on one host do not collide
 * @throws {ConfigError} when `METRICS_PORT` is neither `off` nor an integer in 0..65535
 *
 * @example
 * ```ts
 * import { readMetricsSettings } from "./config.ts";
 * console.log(readMetricsSettings({}, 9464).port, readMetricsSettings({ METRICS_PORT: "off" }, 9464).port);
 * // 9464 undefined
 * ```
 */
export function readMetricsSettings(env: Env, defaultPort: number): MetricsSettings {
  const hostname = readVar(env, "METRICS_HOST") ?? "127.0.0.1";
  if (readVar(env, "METRICS_PORT")?.toLowerCase() === "off") return { port: undefined, hostname };
  return {
    port: numberVar(env, "METRICS_PORT", defaultPort, { min: 0, max: 65535, integer: true }),
    hostname,
  };
}

/** What the notebooks look at: the same variables as the scripts, read in one place. */
export interface NotebookSettings {
  /** `VIDEO_DIR` and `DETECTION_LOG`, as the worker reads them */
  readonly videoDir: string;
  /** the detection log (default the folder `<VIDEO_DIR>/detections.d`) */
  readonly logPath: string;
  /** where Redis is, and the stream */
  readonly queue: QueueSettings;
  /** the model and its thresholds */
  readonly analyzer: AnalyzerSettings;
  /** `RTSP_URL`: the camera the camera notebook opens; undefined means the bundled emulator */
  readonly cameraUrl: string | undefined;
  /** `RESULTS_HOURS`: how far back the results notebook reads the log, in hours (default 24) */
  readonly resultsHours: number;
}

/**
 * Reads the settings the notebooks use, so that a notebook started next to a capture and a
 * worker sees what they see.
 *
 * @throws {ConfigError} what {@linkcode readWorkerSettings}, {@linkcode readQueueSettings} and {@linkcode
 *   readAnalyzerSettings} throw, when `RTSP_URL` is set but not a camera URL, and when `RESULTS_HOURS` is
 *   not a number of hours from 1 to ten years
 *
 * @example
 * ```ts
 * import { readNotebookSettings } from "./config.ts";
 * const s = readNotebookSettings({ VIDEO_DIR: "/srv/video", REDIS_URL: "redis://127.0.0.1:6379" });
 * console.log(s.logPath, s.queue.stream); // "/srv/video/detections.d" "video_queue"
 * ```
 */
export function readNotebookSettings(env: Env = Deno.env.toObject()): NotebookSettings {
  const { videoDir, logPath } = readWorkerSettings(env);
  const url = readVar(env, "RTSP_URL");
  return {
    videoDir,
    logPath,
    queue: readQueueSettings(env),
    analyzer: readAnalyzerSettings(env),
    cameraUrl: url === undefined ? undefined : checkUrl(url, "RTSP_URL"),
    resultsHours: numberVar(env, "RESULTS_HOURS", 24, { min: 1, max: 24 * 366 * 10 }),
  };
}

/** Where `deno task notebooks` serves Jupyter. */
export interface JupyterSettings {
  /** `NOTEBOOK_HOST`: address to listen on (default 127.0.0.1) */
  readonly host: string;
  /** `NOTEBOOK_PORT` (default 8888) */
  readonly port: number;
  /** `JUPYTER_TOKEN`: the token; undefined means a random one, shown once */
  readonly token: string | undefined;
}

/**
 * Reads the Jupyter server settings. Jupyter always asks for a token: there is no way to turn
 * it off here, since a notebook runs any code with the user's rights.
 *
 * @throws {ConfigError} when `JUPYTER_TOKEN` is shorter than 16 characters or `NOTEBOOK_PORT` is not an
 *   integer in 1..65535
 *
 * @example
 * ```ts
 * import { readJupyterSettings } from "./config.ts";
 * console.log(readJupyterSettings({ NOTEBOOK_PORT: "8890" })); // { host: "127.0.0.1", port: 8890, token: undefined }
 * ```
 */
export function readJupyterSettings(env: Env = Deno.env.toObject()): JupyterSettings {
  const token = readVar(env, "JUPYTER_TOKEN");
  if (token !== undefined && token.length < 16) {
    throw new ConfigError("JUPYTER_TOKEN must be at least 16 characters (say, openssl rand -hex 24)");
  }
  return {
    host: readVar(env, "NOTEBOOK_HOST") ?? "127.0.0.1",
    port: numberVar(env, "NOTEBOOK_PORT", 8888, { min: 1, max: 65535, integer: true }),
    token,
  };
}

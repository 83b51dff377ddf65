/**
 * The cameras file (`CAMERAS_FILE`): several cameras in one JSON file, checked against one
 * schema. The same schema gives the error messages (each naming the field, e.g.
 * `cameras[1].threshold must be a number between 1 and 255, got 300`) and the JSON Schema that
 * editors use to complete and check the file (docs/cameras.schema.json, written by
 * tools/cameras_schema.ts).
 *
 * @module
 */

import * as v from "valibot";
import { CAMERA_NAME_PATTERN, CAMERA_NAME_RULE } from "../capture/camera_name.ts";
import { CAMERA_URL_RULE, isCameraUrl, passwordEncodingProblem } from "../capture/camera_url.ts";
import { MOTION_SETTINGS } from "../capture/motion_detector.ts";
import { ConfigError } from "../errors.ts";
import { describeSetting, type NumberSetting } from "../number_setting.ts";
import { redactUrl } from "./redact.ts";

/** One camera as the cameras file gives it (the environment fills in what it leaves out). */
export interface CameraEntry {
  /** camera name: the folder of its clips, unique in the file */
  readonly name: string;
  /** `rtsp://` / `rtsps://` URL (credentials allowed), `http(s)://` MJPEG URL, or a video file */
  readonly url: string;
  /**
   * The camera's sub-stream, watched for motion while `url` is recorded by stream copy.
   * @default none: motion is found on `url`
   */
  readonly detectUrl?: string;
  /**
   * Keep the camera's sound in clips.
   * @default AUDIO, or true
   */
  readonly audio?: boolean;
  /**
   * RTSP transport.
   * @default RTSP_TRANSPORT, or "tcp"
   */
  readonly transport?: "tcp" | "udp";
  /**
   * Grey-level change that counts as motion, 1..255.
   * @default MOTION_THRESHOLD, or 25
   */
  readonly threshold?: number;
  /**
   * Smallest moving region, fraction of the frame.
   * @default MOTION_MIN_AREA, or 0.002
   */
  readonly minArea?: number;
  /**
   * Regions to ignore: polygons of `[x, y]` points in frame fractions.
   * @default none
   */
  readonly masks?: [number, number][][];
}

/** The cameras file. */
export interface CamerasFile {
  /** the JSON Schema the file follows, for editors (`./docs/cameras.schema.json`) */
  readonly $schema?: string;
  /** the cameras to capture, at least one */
  readonly cameras: CameraEntry[];
}

const MASK_RULE = "must be a list of polygons of at least 3 [x, y] points in 0..1";

/** A number field checked against a setting's bounds, with one message for every way to miss. */
function numberField(setting: NumberSetting, description: string) {
  const message = `must be ${describeSetting(setting)}`;
  return v.optional(
    v.pipe(
      v.number(message),
      v.minValue(setting.min, message),
      v.maxValue(setting.max ?? Infinity, message),
      v.description(`${description} (default ${setting.default}, or the environment's)`),
    ),
  );
}

const point = v.tuple([
  v.pipe(v.number(MASK_RULE), v.minValue(0, MASK_RULE), v.maxValue(1, MASK_RULE)),
  v.pipe(v.number(MASK_RULE), v.minValue(0, MASK_RULE), v.maxValue(1, MASK_RULE)),
], MASK_RULE);

/** A camera URL: its password must be one the URL can carry, then the URL one capture reads. */
function cameraUrl(description: string) {
  return v.pipe(
    v.string(`must be ${CAMERA_URL_RULE}`),
    v.check(
      (url: string) => passwordEncodingProblem(url) === undefined,
      (issue) => `holds a password its URL cannot carry: ${passwordEncodingProblem(String(issue.input))}`,
    ),
    v.check((url: string) => isCameraUrl(url), `must be ${CAMERA_URL_RULE}`),
    v.description(description),
  );
}

const cameraSchema = v.strictObject({
  name: v.pipe(
    v.string(`must be ${CAMERA_NAME_RULE}`),
    v.regex(CAMERA_NAME_PATTERN, `must be ${CAMERA_NAME_RULE}`),
    v.description("camera name: the folder of its clips, unique"),
  ),
  url: cameraUrl("rtsp:// or rtsps:// URL (credentials allowed), http(s):// MJPEG URL, or a video file"),
  detectUrl: v.optional(
    cameraUrl("the camera's sub-stream, watched for motion while url is recorded (default none)"),
  ),
  audio: v.optional(
    v.pipe(
      v.boolean("must be true or false"),
      v.description("keep the camera's sound in clips (default AUDIO, or true)"),
    ),
  ),
  transport: v.optional(
    v.pipe(
      v.picklist(["tcp", "udp"], "must be tcp or udp"),
      v.description("RTSP transport (default RTSP_TRANSPORT, or tcp)"),
    ),
  ),
  threshold: numberField(MOTION_SETTINGS.threshold, "grey-level change that counts as motion"),
  minArea: numberField(MOTION_SETTINGS.minArea, "smallest moving region, fraction of the frame"),
  masks: v.optional(
    v.pipe(
      v.array(v.pipe(v.array(point, MASK_RULE), v.minLength(3, MASK_RULE)), MASK_RULE),
      v.description("regions to ignore: polygons of [x, y] points in frame fractions"),
    ),
  ),
}, "must be an object with a name and a url");

/**
 * The cameras file's schema (valibot). Unknown keys are refused, so that a misspelt setting
 * is an error rather than silently ignored.
 *
 * @example
 * ```ts
 * import * as v from "valibot";
 * import { camerasFileSchema } from "./cameras_file.ts";
 * const ok = v.safeParse(camerasFileSchema, { cameras: [{ name: "front", url: "rtsp://cam/1" }] });
 * console.log(ok.success); // true
 * ```
 */
export const camerasFileSchema: v.GenericSchema<unknown, CamerasFile> = v.strictObject({
  $schema: v.optional(v.pipe(v.string(), v.description("the JSON Schema this file follows, for editors"))),
  cameras: v.pipe(
    v.array(cameraSchema, "must be a list of cameras"),
    v.minLength(1, "must list at least one camera"),
    v.description("the cameras to capture"),
  ),
}, 'must be an object {"cameras": [{"name": …, "url": …}, …]}');

/** Where an issue is, as a reader writes it: `cameras[1].masks`. */
function issuePath(issue: v.BaseIssue<unknown>): string {
  let text = "";
  for (const item of issue.path ?? []) {
    const key = item.key as string | number;
    if (typeof key === "number") text += `[${key}]`;
    else {
      text += text ? `.${key}` : key;
      if (key === "masks") break; // one message for the whole list of polygons
    }
  }
  return text;
}

/** One issue as a sentence; URLs in the offending value are shown with their password masked. */
function describeIssue(issue: v.BaseIssue<unknown>): string {
  const path = issuePath(issue);
  // An unknown key: valibot reports it as a key that was expected to be absent ("never").
  if (issue.type === "strict_object" && issue.expected === "never") {
    return `${path} is not a known setting`;
  }
  if (issue.input === undefined && path) return `${path} is missing`;
  const where = path || "the file";
  const input = issue.input;
  const shown = typeof input === "string"
    ? JSON.stringify(redactUrl(input))
    : typeof input === "number" || typeof input === "boolean"
    ? String(input)
    : undefined;
  return `${where} ${issue.message}${shown !== undefined && !path.endsWith("masks") ? `, got ${shown}` : ""}`;
}

/**
 * Parses the text of a cameras file; throws a {@linkcode ConfigError} that names the file and
 * the first field in error (duplicate names included).
 *
 * @param file the file's path, only for messages
 * @returns the cameras in the file's order, with their optional fields left undefined (the environment's
 *   defaults are applied by `readCaptureSettings`)
 * @throws {ConfigError} when the text is not JSON, breaks the schema (a missing or invalid field, an unknown
 *   key), or uses a camera name twice
 *
 * @example
 * ```ts
 * import { parseCamerasFile } from "./cameras_file.ts";
 * const cameras = parseCamerasFile('{"cameras": [{"name": "front", "url": "rtsp://cam/1"}]}', "cameras.json");
 * console.log(cameras[0].name); // "front"
 * ```
 */
export function parseCamerasFile(text: string, file: string): CameraEntry[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new ConfigError(`CAMERAS_FILE ${file} cannot be read as JSON: ${(cause as Error).message}`, {
      cause,
    });
  }
  const result = v.safeParse(camerasFileSchema, parsed);
  if (!result.success) {
    throw new ConfigError(`CAMERAS_FILE ${file}: ${describeIssue(result.issues[0])}`);
  }
  const names = result.output.cameras.map((c) => c.name);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice) throw new ConfigError(`CAMERAS_FILE ${file}: camera name '${twice}' is used twice`);
  return result.output.cameras;
}

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
import { checkZones, type Zone, ZONE_NAME_PATTERN } from "../yolo/zones.ts";
import { checkObjectFilters, type ObjectFilter } from "../yolo/object_filters.ts";

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
  /**
   * Named polygons of the view, in frame fractions: each tracked object lists the zones its box's
   * bottom centre entered (the worker reads them).
   * @default ZONES, or none
   */
  readonly zones?: Zone[];
  /**
   * Per-class limits on detections before tracking: `minScore`, `minArea`, `maxArea` (areas in fractions of
   * the frame).
   * @default OBJECT_FILTERS, or none
   */
  readonly filters?: Record<string, ObjectFilter>;
  /**
   * Polygons where detections are dropped (by their box's bottom centre) before tracking; not the motion
   * `masks`.
   * @default OBJECT_MASKS, or none
   */
  readonly objectMasks?: [number, number][][];
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

/** The message of a rule's `RangeError`, or undefined when the value passes. */
function problem(rule: () => unknown): string | undefined {
  try {
    rule();
    return undefined;
  } catch (e) {
    if (e instanceof RangeError) return e.message;
    throw e;
  }
}

const point = v.tuple([
  v.pipe(v.number(MASK_RULE), v.minValue(0, MASK_RULE), v.maxValue(1, MASK_RULE)),
  v.pipe(v.number(MASK_RULE), v.minValue(0, MASK_RULE), v.maxValue(1, MASK_RULE)),
], MASK_RULE);

const polygons = (rule: string) => v.array(v.pipe(v.array(point, rule), v.minLength(3, rule)), rule);

const ZONES_RULE = "must be a list of zones, each {name, points}: a name of 1-64 letters, digits, _ or -, " +
  "and at least 3 [x, y] points in 0..1";
const FILTERS_RULE = "must be an object of class names, each {minScore, minArea, maxArea} between 0 and 1";
const FRACTION = "must be a number between 0 and 1";
const fraction = v.optional(v.pipe(v.number(FRACTION), v.minValue(0, FRACTION), v.maxValue(1, FRACTION)));

/**
 * Zones (`zones` of a camera, `ZONES`): a list of `{name, points}`, names unique, checked by `checkZones`
 * (lib/yolo/zones.ts).
 *
 * @example
 * ```ts
 * import * as v from "valibot";
 * import { zonesSchema } from "./cameras_file.ts";
 * console.log(v.is(zonesSchema, [{ name: "door", points: [[0, 0.5], [0.3, 0.5], [0.3, 1]] }])); // true
 * ```
 */
export const zonesSchema: v.GenericSchema<unknown, Zone[]> = v.pipe(
  v.array(
    v.strictObject({
      name: v.pipe(v.string(ZONES_RULE), v.regex(ZONE_NAME_PATTERN, ZONES_RULE)),
      points: v.pipe(v.array(point, ZONES_RULE), v.minLength(3, ZONES_RULE)),
    }, ZONES_RULE),
    ZONES_RULE,
  ),
  v.check(
    (zones) => problem(() => checkZones(zones)) === undefined,
    (i) => problem(() => checkZones(i.input))!,
  ),
  v.description(
    "named polygons of the view in frame fractions; a tracked object lists the zones its box's bottom centre " +
      "entered (default ZONES, or none)",
  ),
);

/**
 * Per-class filters (`filters` of a camera, `OBJECT_FILTERS`): class name → `{minScore, minArea, maxArea}`,
 * checked by `checkObjectFilters` (lib/yolo/object_filters.ts).
 *
 * @example
 * ```ts
 * import * as v from "valibot";
 * import { objectFiltersSchema } from "./cameras_file.ts";
 * console.log(v.is(objectFiltersSchema, { car: { minArea: 0.5, maxArea: 0.1 } })); // false
 * ```
 */
export const objectFiltersSchema: v.GenericSchema<unknown, Record<string, ObjectFilter>> = v.pipe(
  v.record(
    v.string(),
    v.strictObject({ minScore: fraction, minArea: fraction, maxArea: fraction }, FILTERS_RULE),
    FILTERS_RULE,
  ),
  v.check(
    (filters) => problem(() => checkObjectFilters({ filters })) === undefined,
    (i) => problem(() => checkObjectFilters({ filters: i.input as Record<string, ObjectFilter> }))!,
  ),
  v.description(
    "per-class limits on detections before tracking: minScore, minArea and maxArea in fractions of the frame " +
      "(default OBJECT_FILTERS, or none)",
  ),
);

/**
 * Object masks (`objectMasks` of a camera, `OBJECT_MASKS`): polygons where detections are dropped by their
 * bottom centre, checked by `checkObjectFilters` (lib/yolo/object_filters.ts).
 *
 * @example
 * ```ts
 * import * as v from "valibot";
 * import { objectMasksSchema } from "./cameras_file.ts";
 * console.log(v.is(objectMasksSchema, [[[0, 0], [1, 0], [1, 0.1]]])); // true
 * ```
 */
export const objectMasksSchema: v.GenericSchema<unknown, [number, number][][]> = v.pipe(
  polygons(MASK_RULE),
  v.check(
    (masks) => problem(() => checkObjectFilters({ masks })) === undefined,
    (i) => problem(() => checkObjectFilters({ masks: i.input as [number, number][][] }))!,
  ),
  v.description(
    "polygons in frame fractions where detections are dropped before tracking, by their box's bottom centre; " +
      "not the motion masks (default OBJECT_MASKS, or none)",
  ),
);

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
  zones: v.optional(zonesSchema),
  filters: v.optional(objectFiltersSchema),
  objectMasks: v.optional(objectMasksSchema),
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
      // one message for the whole list of polygons, zones or filters
      if (["masks", "objectMasks", "zones", "filters"].includes(key)) break;
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
  const whole = /(masks|Masks|zones|filters)$/.test(path);
  return `${where} ${issue.message}${shown !== undefined && !whole ? `, got ${shown}` : ""}`;
}

/**
 * Checks a value against one of this file's schemas, for a setting given outside the file (an
 * environment variable holding JSON).
 *
 * @param where names the value in the message (`ZONES`)
 * @returns the value, as the schema outputs it
 * @throws {ConfigError} naming `where` and the first problem
 *
 * @example
 * ```ts
 * import { parseSettingValue, zonesSchema } from "./cameras_file.ts";
 * const zones = parseSettingValue(zonesSchema, [{ name: "door", points: [[0, 0.5], [0.3, 0.5], [0.3, 1]] }], "ZONES");
 * console.log(zones[0].name); // "door"
 * ```
 */
export function parseSettingValue<T>(schema: v.GenericSchema<unknown, T>, value: unknown, where: string): T {
  const result = v.safeParse(schema, value);
  if (result.success) return result.output;
  const issue = result.issues[0];
  const path = issuePath(issue);
  throw new ConfigError(`${where}${path ? ` ${path}` : ""} ${issue.message}`);
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

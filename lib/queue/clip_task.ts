/**
 * The task message that travels from capture to workers: one finished clip to analyse. It is
 * plain JSON (never code: the prototype's pickled RQ jobs let anyone who could write to Redis
 * run code), validated on both sides, with a clip path that must stay inside the video folder.
 *
 * @module
 */

import { isAbsolute, join, normalize, relative, sep } from "node:path";
import { type FinishedClip, isoLocal } from "../capture/clip_recorder.ts";
import { CamwatchError } from "../errors.ts";
import { CAMERA_NAME_PATTERN, CAMERA_NAME_RULE } from "../capture/camera_name.ts";
import * as v from "valibot";

/** One clip to analyse (docs/architecture.md, "Task message"). */
export interface ClipTask {
  /** schema version */
  readonly v: 1;
  /** `<camera>-<start ISO>`: the same clip always has the same id (de-duplication) */
  readonly id: string;
  /** camera name */
  readonly camera: string;
  /** clip path relative to the video folder (`front/20260223-144657.mp4`) */
  readonly path: string;
  /** clip start, ISO 8601 with zone */
  readonly start: string;
  /** clip end, ISO 8601 with zone */
  readonly end: string;
  /** what the motion detector saw */
  readonly motion: {
    /** highest changed fraction of the frame */
    readonly peak: number;
    /** moving regions `[x1, y1, x2, y2]` in frame fractions */
    readonly boxes: readonly (readonly number[])[];
  };
}

/**
 * A task that is not valid: the message names the field. Such tasks go to the dead letters.
 *
 * @example
 * ```ts
 * import { parseTask, TaskError } from "./clip_task.ts";
 * try {
 *   parseTask("not json");
 * } catch (e) {
 *   if (e instanceof TaskError) console.log(e.message); // 'task is not JSON: "not json"'
 * }
 * ```
 */
export class TaskError extends CamwatchError {}

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;
const ISO_RULE = "must be an ISO 8601 time with zone";
const MOTION_RULE = "must be { peak: number, boxes: [[x1, y1, x2, y2], …] }";

/** The task's fields and their rules, in the order they are checked. */
const TASK_FIELDS = {
  v: v.literal(1, "must be 1 (the only schema version)"),
  id: v.pipe(
    v.string("must be a non-empty string"),
    v.minLength(1, "must be a non-empty string"),
    v.maxLength(200, "must be a non-empty string of at most 200 characters"),
  ),
  camera: v.pipe(
    v.string(`must be ${CAMERA_NAME_RULE}`),
    v.regex(CAMERA_NAME_PATTERN, `must be ${CAMERA_NAME_RULE}`),
  ),
  path: v.pipe(
    v.string("must be a relative path to the clip"),
    v.minLength(1, "must be a relative path to the clip"),
    v.maxLength(4096, "must be a relative path to the clip of at most 4096 characters"),
    v.check((path: string) => !path.includes("\0"), "must be a relative path to the clip"),
  ),
  start: v.pipe(v.string(ISO_RULE), v.regex(ISO, ISO_RULE)),
  end: v.pipe(v.string(ISO_RULE), v.regex(ISO, ISO_RULE)),
  motion: v.object({
    peak: v.number(MOTION_RULE),
    boxes: v.array(
      v.pipe(v.array(v.number(MOTION_RULE), MOTION_RULE), v.length(4, MOTION_RULE)),
      MOTION_RULE,
    ),
  }, MOTION_RULE),
};
const taskSchema = v.object(TASK_FIELDS);

/**
 * The task message's schema (valibot): what {@linkcode parseTask} checks, field by field.
 * Fields it does not know are dropped, so that a newer producer's additions do not stop an
 * older worker.
 *
 * @example
 * ```ts
 * import * as v from "valibot";
 * import { clipTaskSchema } from "./clip_task.ts";
 * console.log(v.is(clipTaskSchema, { v: 1, id: "x" })); // false
 * ```
 */
export const clipTaskSchema: v.GenericSchema<unknown, ClipTask> = taskSchema;

/**
 * The task for a finished clip.
 *
 * @returns a task whose times are the clip's start and end in local time with offset ({@linkcode isoLocal}),
 *   whose id is `<camera>-<start>`, and whose path is the clip's `relativePath`; it is not validated here
 *   (the producer's parser does that)
 *
 * @example
 * ```ts
 * import { taskFromClip } from "./clip_task.ts";
 * const task = taskFromClip({
 *   camera: "front", path: "/v/front/20260223-144657.mp4", relativePath: "front/20260223-144657.mp4",
 *   sidecarPath: "/v/front/20260223-144657.json", start: 1771858017000, end: 1771858052000,
 *   motionStart: 1771858022000, peak: 0.12, boxes: [[0.1, 0.2, 0.3, 0.4]], truncated: false,
 * });
 * console.log(task.id); // "front-2026-02-23T14:46:57.000+00:00" (in local time)
 * ```
 */
export function taskFromClip(clip: FinishedClip): ClipTask {
  const start = isoLocal(clip.start);
  return {
    v: 1,
    id: `${clip.camera}-${start}`,
    camera: clip.camera,
    path: clip.relativePath,
    start,
    end: isoLocal(clip.end),
    motion: { peak: clip.peak, boxes: clip.boxes },
  };
}

/**
 * Checks a task (JSON text or a parsed value) field by field. Throws {@linkcode TaskError}
 * naming the first bad field; the path is checked for shape here and against the video folder
 * by {@linkcode resolveClipPath}.
 *
 * @param input the JSON text of a stream entry, or an object (a task being published)
 * @returns the task with only the known fields (others are dropped)
 * @throws {TaskError} when a string is not JSON, when the value is not a JSON object, or when a field is
 *   missing or breaks its rule; the message names the first bad field (`task.<field> must be …, got …`)
 *
 * @example
 * ```ts
 * import { parseTask } from "./clip_task.ts";
 * try {
 *   parseTask('{"v": 1, "id": "x"}');
 * } catch (e) {
 *   console.log((e as Error).message); // "task.camera must be …"
 * }
 * ```
 */
export function parseTask(input: unknown): ClipTask {
  let value = input;
  if (typeof input === "string") {
    try {
      value = JSON.parse(input);
    } catch {
      throw new TaskError(`task is not JSON: ${JSON.stringify(input.slice(0, 80))}`);
    }
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new TaskError("task must be a JSON object");
  }
  const result = v.safeParse(taskSchema, value);
  if (result.success) return result.output;
  // The first issue's top-level field: a bad box inside `motion` is reported as `task.motion`.
  const field = String(result.issues[0].path?.[0]?.key ?? "") as keyof typeof TASK_FIELDS;
  const given = (value as Record<string, unknown>)[field];
  // A missing field is reported by the object, not by the field: ask the field what it wants.
  const issue = given === undefined ? v.safeParse(TASK_FIELDS[field], undefined).issues?.[0] : undefined;
  const got = JSON.stringify(given ?? null)?.slice(0, 80);
  throw new TaskError(`task.${field} ${(issue ?? result.issues[0]).message}, got ${got}`);
}

/**
 * The absolute path of a task's clip. Anything that would leave the video folder (`../`, an
 * absolute path, a symbolic link pointing out) is refused with {@linkcode TaskError}: the
 * prototype joined the task's `filename` to its folder unchecked.
 *
 * @param path the task's path, relative to `videoDir`
 * @returns the real path (symbolic links resolved) when the clip exists; the joined path unchecked when the
 *   clip or the folder is missing, so that the analysis reports it as missing
 * @throws {TaskError} when the path is absolute, holds a `..` part, or resolves (through links) to the video
 *   folder itself or outside it
 *
 * @example
 * ```ts
 * import { resolveClipPath } from "./clip_task.ts";
 * console.log(await resolveClipPath("/srv/video", "front/20260223-144657.mp4"));
 * await resolveClipPath("/srv/video", "../etc/passwd"); // throws TaskError
 * ```
 */
export async function resolveClipPath(videoDir: string, path: string): Promise<string> {
  if (isAbsolute(path) || path.split(/[\\/]/).includes("..")) {
    throw new TaskError(`task.path ${JSON.stringify(path)} leaves the video folder`);
  }
  const full = join(videoDir, normalize(path));
  // Symbolic links are followed before comparing, so a link cannot lead out either.
  let real: string, root: string;
  try {
    [real, root] = await Promise.all([Deno.realPath(full), Deno.realPath(videoDir)]);
  } catch {
    return full; // missing: the analysis reports it as such
  }
  const rel = relative(root, real);
  if (rel === "" || rel.startsWith("..") || isAbsolute(rel) || rel.split(sep)[0] === "..") {
    throw new TaskError(`task.path ${JSON.stringify(path)} leads outside the video folder`);
  }
  return real;
}

/**
 * The clips on disk: what capture wrote under the video folder (`<camera>/<stamp>.mp4`, each
 * with its JSON sidecar), newest first, for the notebooks that pick a clip.
 *
 * @module
 */

import { join } from "node:path";
import { type ClipSidecar, readClipSidecar } from "./clip_sidecar.ts";

/** One clip file. */
export interface ClipFile {
  /** path relative to the video folder, as tasks and the log carry it */
  readonly path: string;
  /** the camera folder it is in */
  readonly camera: string;
  /** size in bytes */
  readonly bytes: number;
  /** when the file was written */
  readonly modified: Date;
  /** the capture's sidecar, when there is one (clips copied in by hand have none) */
  readonly sidecar: ClipSidecar | undefined;
}

/** Options of {@linkcode listClips}. */
export interface ListClipsOptions {
  /**
   * Only this camera's clips.
   * @default every camera
   */
  readonly camera?: string;
  /**
   * At most this many (the newest).
   * @default Infinity
   */
  readonly limit?: number;
}

/**
 * The finished clips under a video folder, newest first. Hidden entries (the segment cache,
 * clips still being written, the outbox) are skipped; a missing folder has no clips.
 *
 * @param videoDir the folder capture writes to, holding one folder per camera
 * @returns the clips ordered by their sidecar's start (the file's modification time when there is none),
 *   newest first; an empty array when the folder does not exist
 * @throws {Deno.errors.PermissionDenied} without read permission for the folder (other file system errors are
 *   rethrown too; only a missing video folder is not an error)
 *
 * @example
 * ```ts
 * import { listClips } from "./clip_files.ts";
 * const [newest] = await listClips("video", { limit: 1 });
 * if (newest) console.log(newest.path, newest.sidecar?.duration);
 * ```
 */
export async function listClips(videoDir: string, options: ListClipsOptions = {}): Promise<ClipFile[]> {
  const clips: ClipFile[] = [];
  const cameras: string[] = [];
  try {
    for await (const e of Deno.readDir(videoDir)) {
      if (e.isDirectory && !e.name.startsWith(".") && (!options.camera || e.name === options.camera)) {
        cameras.push(e.name);
      }
    }
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return [];
    throw e;
  }
  for (const camera of cameras) {
    for await (const e of Deno.readDir(join(videoDir, camera))) {
      if (!e.isFile || e.name.startsWith(".") || !e.name.endsWith(".mp4")) continue;
      const file = join(videoDir, camera, e.name);
      const info = await Deno.stat(file);
      const path = `${camera}/${e.name}`;
      const sidecar = await readClipSidecar(videoDir, path);
      clips.push({ path, camera, bytes: info.size, modified: info.mtime ?? new Date(0), sidecar });
    }
  }
  const started = (c: ClipFile) => (c.sidecar ? Date.parse(c.sidecar.start) : c.modified.getTime());
  clips.sort((a, b) => started(b) - started(a) || b.path.localeCompare(a.path));
  return clips.slice(0, options.limit ?? Infinity);
}

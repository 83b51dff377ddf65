/**
 * `ClipStorage`: the video folder's space, shared by every camera of a capture. It keeps a
 * free-space floor on the folder's file system (`MIN_FREE_MB`) and the retention limits
 * (`RETENTION_DAYS`, `RETENTION_GB`) by deleting the oldest clips of all cameras, each with the
 * files beside it (its sidecar, its evidence).
 *
 * What counts against `RETENTION_GB` is everything in the video folder: the clips of every
 * camera, the segment cache, the outbox and the detection log when it lives there. Only clips
 * are deleted: the rest is in use.
 *
 * @module
 */

import { statfs } from "node:fs/promises";
import { join, relative } from "node:path";
import type { NumberSetting } from "../number_setting.ts";
import type { MetricsRegistry } from "../ops/metrics.ts";

const MB = 2 ** 20;

/**
 * The storage settings' defaults and bounds, read by {@linkcode ClipStorage} and by the
 * configuration (`MIN_FREE_MB`).
 *
 * @example
 * ```ts
 * import { STORAGE_SETTINGS } from "./clip_storage.ts";
 * console.log(STORAGE_SETTINGS.minFreeMb.default); // 1024
 * ```
 */
export const STORAGE_SETTINGS = {
  /**
   * Megabytes kept free on the video folder's file system. A gigabyte holds several minutes of
   * a 4K camera's clips, time enough for an operator to see the warnings; 0 turns the floor off.
   */
  minFreeMb: { default: 1024, min: 0, max: 1e9 },
} as const satisfies Record<string, NumberSetting>;

/** Options of {@linkcode ClipStorage}. */
export interface ClipStorageOptions {
  /** folder that holds one subfolder of clips per camera */
  readonly videoDir: string;
  /**
   * Bytes to keep free on the folder's file system, deleting the oldest clips of every camera
   * before a write would go below it; 0 keeps no floor.
   * @default STORAGE_SETTINGS.minFreeMb.default megabytes (1024 × 2^20 bytes)
   */
  readonly minFreeBytes?: number;
  /**
   * Delete clips older than this many days.
   * @default keep forever
   */
  readonly maxAgeDays?: number;
  /**
   * Keep the whole video folder (clips of every camera, segment cache, outbox, log) under this
   * many bytes, deleting the oldest clips first.
   * @default no limit
   */
  readonly maxBytes?: number;
  /**
   * Called with each clip deleted, and why.
   * @default none
   */
  readonly onDelete?: (deleted: DeletedClip) => void;
  /**
   * Called when the floor cannot be kept (no clip left to delete) and again when it is kept once
   * more; not on every check.
   * @default none
   */
  readonly onShort?: (state: StorageState) => void;
  /**
   * Where each deletion and each change of `short` is said in words (`info` for a deletion and
   * for space coming back, `warn` when the floor cannot be kept).
   * @default not said
   */
  readonly onLog?: (entry: { readonly level: "info" | "warn"; readonly message: string }) => void;
  /**
   * Where deletions are counted (`camwatch_clips_deleted_total{reason}`) and free space is
   * shown (`camwatch_disk_free_bytes`, set by {@linkcode ClipStorage.health}).
   * @default not counted
   */
  readonly metrics?: MetricsRegistry;
}

/** The disk as `/healthz` shows it. */
export interface DiskHealth {
  /** megabytes free on the video folder's file system */
  readonly free_mb: number;
  /** the floor kept, in megabytes */
  readonly min_free_mb: number;
  /** true when free space is below the floor and no clip is left to delete */
  readonly short: boolean;
}

/** A clip deleted to keep the limits. */
export interface DeletedClip {
  /** path relative to the video folder (`front/20260223-144657.mp4`) */
  readonly path: string;
  /** bytes freed: the clip and the files beside it */
  readonly bytes: number;
  /** which limit deleted it */
  readonly reason: "age" | "size" | "free space";
}

/** The video folder's space after a check. */
export interface StorageState {
  /** bytes free for this user on the folder's file system */
  readonly freeBytes: number;
  /** the floor kept, in bytes (0: none) */
  readonly minFreeBytes: number;
  /** true when free space is below the floor and no clip is left to delete */
  readonly short: boolean;
}

/** A clip and the files beside it, as found on disk. */
interface StoredClip {
  readonly path: string;
  readonly files: string[];
  readonly bytes: number;
  readonly mtime: number;
}

/**
 * The space of one video folder. One instance serves every camera of a process: checks are
 * run one at a time, so two cameras never delete the same clip or count the same space twice.
 *
 * @example
 * ```ts
 * import { ClipStorage } from "./clip_storage.ts";
 * const storage = new ClipStorage({
 *   videoDir: "video",
 *   minFreeBytes: 500 * 2 ** 20,
 *   maxAgeDays: 30,
 *   onDelete: (d) => console.log(`deleted ${d.path} (${d.reason})`),
 * });
 * const state = await storage.makeRoom(20 * 2 ** 20); // before writing a 20 MB clip
 * if (state.short) console.warn("the disk is full of other things");
 * await storage.applyRetention(); // after writing it
 * ```
 */
export class ClipStorage {
  /** the folder it keeps */
  readonly videoDir: string;
  readonly #options: ClipStorageOptions;
  readonly #minFree: number;
  #chain: Promise<unknown> = Promise.resolve();
  #short = false;

  /**
   * Checks the limits; nothing is read until a check.
   *
   * @throws {RangeError} when `minFreeBytes`, `maxAgeDays` or `maxBytes` is negative or not a number
   */
  constructor(options: ClipStorageOptions) {
    for (const key of ["minFreeBytes", "maxAgeDays", "maxBytes"] as const) {
      const value = options[key];
      if (value !== undefined && !(value >= 0)) {
        throw new RangeError(`${key} must be a number of at least 0, got ${value}`);
      }
    }
    this.#options = options;
    this.videoDir = options.videoDir;
    this.#minFree = options.minFreeBytes ?? STORAGE_SETTINGS.minFreeMb.default * MB;
  }

  /**
   * Makes room for `bytes` more above the floor: while free space is short of it, deletes the
   * oldest clip of any camera. Cheap when there is room (one `statfs`), so it can run before
   * every write.
   *
   * @param bytes what the coming write needs, beyond the floor
   * @returns the space after the check; `short` when even deleting every clip left too little
   * @throws {Deno.errors.PermissionDenied} without `--allow-sys=statfs` or read and write permission for the
   *   folder
   */
  makeRoom(bytes = 0): Promise<StorageState> {
    return this.#serial(async () => {
      const want = this.#minFree + bytes;
      let free = await this.#free();
      if (this.#minFree > 0 && free < want) {
        const clips = await this.#clips();
        while (free < want && clips.length > 0) {
          await this.#delete(clips.shift()!, "free space");
          free = await this.#free();
        }
      }
      return this.#report(free, this.#minFree > 0 && free < want);
    });
  }

  /**
   * Applies `maxAgeDays` and `maxBytes`: deletes clips older than the age, then the oldest
   * clips of any camera while the folder is over the size. Reads the whole folder, so it runs
   * once per clip, not before every write.
   *
   * @returns the clips deleted
   * @throws {Deno.errors.PermissionDenied} without read and write permission for the folder
   */
  applyRetention(): Promise<DeletedClip[]> {
    const { maxAgeDays, maxBytes } = this.#options;
    if (maxAgeDays === undefined && maxBytes === undefined) return Promise.resolve([]);
    return this.#serial(async () => {
      const deleted: DeletedClip[] = [];
      const clips = await this.#clips();
      const cutoff = maxAgeDays === undefined ? -Infinity : Date.now() - maxAgeDays * 86_400_000;
      let total = maxBytes === undefined ? 0 : await folderBytes(this.videoDir);
      for (const clip of clips) {
        const reason = clip.mtime < cutoff
          ? "age"
          : maxBytes !== undefined && total > maxBytes
          ? "size"
          : undefined;
        if (!reason) break;
        deleted.push(await this.#delete(clip, reason));
        total -= clip.bytes;
      }
      return deleted;
    });
  }

  #serial<T>(step: () => Promise<T>): Promise<T> {
    const run = this.#chain.then(step);
    this.#chain = run.catch(() => {});
    return run;
  }

  async #free(): Promise<number> {
    // This runs on every segment of every camera: the folder is made only when it is missing.
    const s = await statfs(this.videoDir).catch(async (e) => {
      if ((e as { code?: string }).code !== "ENOENT") throw e;
      await Deno.mkdir(this.videoDir, { recursive: true });
      return await statfs(this.videoDir);
    });
    return Number(s.bavail) * Number(s.bsize);
  }

  /**
   * The disk for a health check: the floor kept first (as {@linkcode ClipStorage.makeRoom}),
   * with the `camwatch_disk_free_bytes` gauge set to match.
   *
   * @throws {Deno.errors.PermissionDenied} as {@linkcode ClipStorage.makeRoom}
   */
  async health(): Promise<DiskHealth> {
    const state = await this.makeRoom();
    this.#options.metrics?.gauge("camwatch_disk_free_bytes", "Bytes free on the video folder's disk.")
      .set(state.freeBytes);
    return {
      free_mb: Math.floor(state.freeBytes / MB),
      min_free_mb: Math.round(this.#minFree / MB),
      short: state.short,
    };
  }

  #report(freeBytes: number, short: boolean): StorageState {
    const state = { freeBytes, minFreeBytes: this.#minFree, short };
    if (short !== this.#short) {
      this.#short = short;
      this.#options.onShort?.(state);
      const floor = `the floor of ${Math.round(this.#minFree / MB)} MB (MIN_FREE_MB)`;
      this.#options.onLog?.(
        short
          ? {
            level: "warn",
            message:
              `only ${
                Math.floor(freeBytes / MB)
              } MB free on the disk of ${this.videoDir}: ${floor} and the ` +
              "next write do not fit, and no clip is left to delete; free space: capture goes on while it can " +
              "and keeps the clips it cannot write until there is room",
          }
          : { level: "info", message: `disk space is back above ${floor}` },
      );
    }
    return state;
  }

  async #delete(clip: StoredClip, reason: DeletedClip["reason"]): Promise<DeletedClip> {
    for (const file of clip.files) await Deno.remove(join(this.videoDir, file)).catch(() => {});
    const deleted = { path: clip.path, bytes: clip.bytes, reason };
    this.#options.onDelete?.(deleted);
    this.#options.metrics?.counter(
      "camwatch_clips_deleted_total",
      "Clips deleted to keep MIN_FREE_MB, RETENTION_DAYS or RETENTION_GB.",
    ).inc({ reason });
    this.#options.onLog?.({
      level: "info",
      message: `deleted ${clip.path} (${(clip.bytes / MB).toFixed(1)} MB, ${reason})`,
    });
    return deleted;
  }

  /** Every camera's finished clips, oldest first, each with the files named after it. */
  async #clips(): Promise<StoredClip[]> {
    const clips: StoredClip[] = [];
    for (const camera of await entries(this.videoDir)) {
      if (!camera.isDirectory || camera.name.startsWith(".")) continue;
      const dir = join(this.videoDir, camera.name);
      const files = (await entries(dir)).filter((e) => e.isFile && !e.name.startsWith("."));
      for (const video of files.filter((e) => e.name.endsWith(".mp4"))) {
        // `<stamp>.mp4`, `<stamp>.json`, `<stamp>.<anything>`: not `<stamp>-1.mp4`, another clip
        const stem = video.name.slice(0, -".mp4".length) + ".";
        const own = files.filter((e) => e.name.startsWith(stem)).map((e) => join(camera.name, e.name));
        let bytes = 0;
        let mtime = 0;
        for (const file of own) {
          const info = await Deno.stat(join(this.videoDir, file)).catch(() => undefined);
          bytes += info?.size ?? 0;
          if (file.endsWith(".mp4")) mtime = info?.mtime?.getTime() ?? 0;
        }
        clips.push({ path: relative(this.videoDir, join(dir, video.name)), files: own, bytes, mtime });
      }
    }
    return clips.sort((a, b) => a.mtime - b.mtime || a.path.localeCompare(b.path));
  }
}

async function entries(dir: string): Promise<Deno.DirEntry[]> {
  const out: Deno.DirEntry[] = [];
  try {
    for await (const e of Deno.readDir(dir)) out.push(e);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  return out;
}

/** Bytes of every regular file under `dir`, hidden ones included (the cache, the outbox). */
async function folderBytes(dir: string): Promise<number> {
  let total = 0;
  for (const e of await entries(dir)) {
    const path = join(dir, e.name);
    if (e.isDirectory) total += await folderBytes(path);
    else if (e.isFile) total += (await Deno.stat(path).catch(() => undefined))?.size ?? 0;
  }
  return total;
}

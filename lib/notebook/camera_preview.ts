/**
 * A look at a camera before watching it for real, for the camera notebook: one full-size frame,
 * and a few seconds of the motion detector's view (its masks and boxes on the frames that moved).
 *
 * @module
 */

import { join } from "node:path";
import { type AnnotatedImage, annotateMotion, annotateStrip } from "./annotate.ts";
import { JUPYTER_DISPLAY, type MimeBundle, pngDisplay } from "./displayable.ts";
import { MediaError } from "../errors.ts";
import { grabFrameArgs, runFfmpeg } from "../media/ffmpeg.ts";
import type { RgbImage } from "../media/image.ts";
import {
  type GrayFrame,
  MotionDetector,
  type MotionDetectorOptions,
  type MotionUpdate,
} from "../capture/motion_detector.ts";
import { redactText, redactUrl, urlPassword } from "../ops/redact.ts";
import { RtspSource } from "../capture/rtsp_source.ts";
import sharp from "sharp";

/**
 * One frame from a camera, full size, shown as an image by a notebook: packed RGB pixels
 * (`width * height * 3` bytes) and the PNG ffmpeg wrote.
 *
 * @example
 * ```ts
 * import { grabFrame, type GrabbedFrame } from "./camera_preview.ts";
 * import { annotateDetections } from "./annotate.ts";
 * const frame: GrabbedFrame = await grabFrame("video/samples/vtest.mp4");
 * await Deno.writeFile("snapshot.png", frame.png);
 * const same = await annotateDetections(frame, []); // the RGB pixels, as any raw image
 * ```
 */
export interface GrabbedFrame extends RgbImage {
  /** the frame as PNG */
  readonly png: Uint8Array;
  /** when it was grabbed (once ffmpeg had written it), local clock */
  readonly at: Date;
  /** the MIME bundle Deno's Jupyter kernel sends */
  [JUPYTER_DISPLAY](): MimeBundle;
}

/**
 * Options of {@linkcode grabFrame}.
 *
 * @example
 * ```ts
 * import { grabFrame, type GrabFrameOptions } from "./camera_preview.ts";
 * const options: GrabFrameOptions = { transport: "udp", timeoutSeconds: 5 };
 * const frame = await grabFrame("rtsp://127.0.0.1:8554/stream", options);
 * ```
 */
export interface GrabFrameOptions {
  /**
   * RTSP transport (`rtsp://` and `rtsps://` URLs only).
   * @default "tcp"
   */
  readonly transport?: "tcp" | "udp";
  /**
   * Give up when the camera sends nothing for this long, in seconds (network inputs only: a file
   * is read without a limit).
   * @default 10
   */
  readonly timeoutSeconds?: number;
}

/**
 * Grabs one frame from a camera (`rtsp://`, `http(s)://` MJPEG) or a video file, full size.
 * Throws {@linkcode MediaError} with ffmpeg's reason, the password masked.
 *
 * @param url a camera URL (credentials allowed: they are masked in errors) or a video file's path (its
 *   first frame)
 * @returns the frame at the stream's own size, alpha dropped
 * @throws {MediaError} when ffmpeg is not installed, or gives no frame: camera unreachable or silent for
 *   `timeoutSeconds`, login refused, file missing or not a video; the message quotes ffmpeg's last lines
 *
 * @example
 * ```ts
 * import { grabFrame } from "./camera_preview.ts";
 * const frame = await grabFrame("video/samples/vtest.mp4");
 * console.log(frame.width, frame.height); // 768 576
 * ```
 */
export async function grabFrame(url: string, options: GrabFrameOptions = {}): Promise<GrabbedFrame> {
  const out = await runFfmpeg(grabFrameArgs(url, options));
  if (!out.success || out.stdout.length === 0) {
    const reason = new TextDecoder().decode(out.stderr).trim().split("\n").slice(-3).join("; ");
    const secret = urlPassword(url);
    throw new MediaError(
      `no frame from ${redactUrl(url)}: ${redactText(reason || "the stream ended", secret ? [secret] : [])}`,
    );
  }
  const png = out.stdout;
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const at = new Date();
  return {
    width: info.width,
    height: info.height,
    data: new Uint8Array(data.buffer, data.byteOffset, data.length),
    png,
    at,
    [JUPYTER_DISPLAY]: () => pngDisplay(png, `frame ${info.width}x${info.height}`)[JUPYTER_DISPLAY](),
  };
}

/**
 * A frame the motion detector saw, with what it found.
 *
 * @example
 * ```ts
 * import { annotateMotion } from "./annotate.ts";
 * import type { MotionSample } from "./camera_preview.ts";
 * const show = (s: MotionSample) => annotateMotion(s.frame, { boxes: s.update.boxes, mask: s.mask });
 * ```
 */
export interface MotionSample {
  /** the small grey frame the detector works on (`motionWidth` wide), `ts` in ms since the epoch */
  readonly frame: GrayFrame;
  /** what the detector said */
  readonly update: MotionUpdate;
  /** its change mask (1 = moving) */
  readonly mask: Uint8Array;
}

/**
 * A few seconds of the motion detector's view of a camera.
 *
 * @example
 * ```ts
 * import * as Plot from "@observablehq/plot";
 * import type { MotionPreview } from "./camera_preview.ts";
 * import { renderChart } from "./chart.ts";
 * const scoreChart = (p: MotionPreview) =>
 *   renderChart({ marks: [Plot.lineY(p.updates, { x: (u) => (u.ts - p.updates[0].ts) / 1000, y: "score" })] });
 * ```
 */
export interface MotionPreview {
  /** every frame's update, in order (the score over time) */
  readonly updates: readonly MotionUpdate[];
  /** the frames picked to show: the one with the most motion in each equal slice of the watch */
  readonly samples: readonly MotionSample[];
  /**
   * The picked frames side by side, mask tinted and boxes drawn, each captioned with its time
   * since the first frame and its score (`+1.2 s, 3.4% moving`).
   *
   * @throws {RangeError} when no frame moved (`samples` is empty)
   */
  strip(): Promise<AnnotatedImage>;
}

/**
 * Options of {@linkcode previewMotion}.
 *
 * @example
 * ```ts
 * import { previewMotion, type PreviewMotionOptions } from "./camera_preview.ts";
 * const options: PreviewMotionOptions = { seconds: 10, show: 5, motion: { threshold: 30 } };
 * const preview = await previewMotion("rtsp://127.0.0.1:8554/stream", options);
 * ```
 */
export interface PreviewMotionOptions {
  /**
   * How long to watch, in seconds.
   * @default 8
   */
  readonly seconds?: number;
  /**
   * Frames to keep for showing: at most one from each of this many equal slices of the watch.
   * @default 4
   */
  readonly show?: number;
  /**
   * Motion detector settings, as capture would use them.
   * @default the detector's defaults
   */
  readonly motion?: MotionDetectorOptions;
  /**
   * RTSP transport.
   * @default "tcp"
   */
  readonly transport?: "tcp" | "udp";
  /**
   * Frames per second for the detector, as capture uses them.
   * @default 5
   */
  readonly motionFps?: number;
  /**
   * Frame width for the detector, in pixels (see `motionFps`).
   * @default 320
   */
  readonly motionWidth?: number;
}

/**
 * Watches a camera for a few seconds through the same source and detector that capture uses,
 * and keeps, for each equal slice of that time, the frame with the most motion (its mask and
 * boxes) to show. Nothing is
 * recorded: the segment cache lives in a temporary folder that is removed.
 *
 * @param url an `rtsp://` / `rtsps://` URL (credentials allowed), an `http(s)://` MJPEG URL, or a video
 *   file (read at its own pace, so the watch ends early when the file does)
 * @returns once `seconds` have passed since the first frame (the time to connect does not count)
 * @throws {MediaError} when no frame came: the camera could not be reached (the preview gives up at the
 *   first reconnect, with ffmpeg's reason) or the file has no video
 * @throws {RtspSourceError} when the camera refuses the login (401), or the file does not exist
 * @throws {RangeError} when a `motion` option is out of its bounds, or `motionFps` is not a positive number
 *
 * @example
 * ```ts
 * import { previewMotion } from "./camera_preview.ts";
 * const preview = await previewMotion("rtsp://127.0.0.1:8554/stream", { seconds: 5 });
 * console.log(preview.updates.filter((u) => u.motion).length, "frames with motion");
 * const strip = await preview.strip();
 * ```
 */
export async function previewMotion(url: string, options: PreviewMotionOptions = {}): Promise<MotionPreview> {
  const seconds = options.seconds ?? 8;
  const show = options.show ?? 4;
  const detector = new MotionDetector(options.motion);
  const cacheDir = await Deno.makeTempDir({ prefix: "camwatch-preview-" });
  const source = new RtspSource({
    url,
    cacheDir: join(cacheDir, "cache"),
    transport: options.transport,
    motionFps: options.motionFps,
    motionWidth: options.motionWidth,
  });
  const updates: MotionUpdate[] = [];
  // The strongest frame of each equal slice of the watch: spread over time, never more than `show`.
  const slots = new Map<number, MotionSample>();
  const slotMs = (seconds * 1000) / show;
  let failure: string | undefined;
  // The watch starts with the first frame, not with the connection.
  let deadline = Infinity;
  try {
    for await (const event of source) {
      if (event.type === "disconnected") failure = event.reason;
      if (event.type === "retrying" && updates.length === 0) break;
      if (event.type !== "frame") continue;
      const update = detector.update(event.frame);
      if (updates.length === 0) deadline = performance.now() + seconds * 1000;
      updates.push(update);
      const slot = Math.min(show - 1, Math.floor((update.ts - updates[0].ts) / slotMs));
      if (update.motion && update.score > (slots.get(slot)?.update.score ?? -1)) {
        // Copy: the source reuses its frame buffers.
        const frame = { ...event.frame, data: event.frame.data.slice() };
        slots.set(slot, { frame, update, mask: detector.mask() });
      }
      if (performance.now() > deadline) break;
    }
  } finally {
    await source.close();
    await Deno.remove(cacheDir, { recursive: true }).catch(() => {});
  }
  if (updates.length === 0) {
    throw new MediaError(`no frames from ${redactUrl(url)}${failure ? `: ${failure}` : ""}`);
  }
  const samples = [...slots.values()].sort((a, b) => a.frame.ts - b.frame.ts);
  const first = updates[0].ts;
  return {
    updates,
    samples,
    strip: () =>
      annotateStrip(samples.map((s) => ({
        image: annotateMotion(s.frame, { boxes: s.update.boxes, mask: s.mask }),
        caption: `+${((s.frame.ts - first) / 1000).toFixed(1)} s, ${
          (s.update.score * 100).toFixed(1)
        }% moving`,
      }))),
  };
}

/**
 * Test media made on the spot with the real ffmpeg.
 *
 * @module
 */

import { SEGMENT_MOVFLAGS } from "../../lib/media/ffmpeg.ts";

/** Path of a file in the repository, from the tests folder. */
export function repoPath(relative: string): string {
  return new URL(`../../${relative}`, import.meta.url).pathname;
}

/** Runs ffmpeg with the given arguments and fails loudly when it fails. */
export async function ffmpeg(...args: string[]): Promise<void> {
  const out = await new Deno.Command("ffmpeg", {
    args: ["-hide_banner", "-loglevel", "error", "-y", ...args],
    stdin: "null",
  }).output();
  if (!out.success) throw new Error(`ffmpeg ${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
}

/**
 * Writes a small lossless H.264 video whose frame n is uniformly grey at level n * 6, so that
 * a decoded frame tells its own index: `index = round(pixel / 6)`. The index comes first in the
 * file (faststart), so a truncated copy still opens.
 */
export async function makeCounterVideo(path: string, fps = 10, seconds = 4): Promise<void> {
  await ffmpeg(
    "-f",
    "lavfi",
    "-i",
    `color=c=black:s=64x48:r=${fps}:d=${seconds},format=gray,geq=lum='N*6'`,
    "-c:v",
    "libx264",
    "-qp",
    "0",
    "-pix_fmt",
    "yuv444p",
    "-movflags",
    "+faststart",
    path,
  );
}

/** The first `seconds` of the bundled sample, stream-copied into `path` (index first). */
export async function cutSample(path: string, seconds: number): Promise<void> {
  await ffmpeg(
    "-i",
    repoPath("video/samples/vtest.mp4"),
    "-t",
    String(seconds),
    "-c",
    "copy",
    "-movflags",
    "+faststart",
    path,
  );
}

/** 24 hours of 2x2 frames at 1 fps (1.1 MB): a small file that is far too long to analyse. */
export async function makeDayLongVideo(path: string): Promise<void> {
  await ffmpeg(
    "-f",
    "lavfi",
    "-i",
    "color=s=2x2:r=1",
    "-t",
    "90000",
    "-c:v",
    "libx264",
    "-preset",
    "ultrafast",
    path,
  );
}

/**
 * A 2-second H.264 segment as capture records them (10 fps, one keyframe, no B-frames, fragmented
 * MP4), of a test pattern `size` pixels (`WxH`): copied to stand for recorded segments without a
 * camera. `fragmented: false` gives a plain MP4, as an older capture recorded them.
 */
export async function makeSegment(path: string, size = "160x120", fragmented = true): Promise<void> {
  await ffmpeg(
    ...["-f", "lavfi", "-i", `testsrc2=size=${size}:rate=10:duration=2`],
    ...["-c:v", "libx264", "-g", "20", "-bf", "0"],
    ...(fragmented ? ["-movflags", SEGMENT_MOVFLAGS] : []),
    path,
  );
}

/** One 16000x16000 frame of H.264: 0.75 MB of file, 768 MB once decoded to RGB. */
export async function makeHugeFrameVideo(path: string): Promise<void> {
  await ffmpeg(
    ...["-f", "lavfi", "-i", "color=s=16000x16000:r=1", "-frames:v", "1"],
    ...["-c:v", "libx264", "-preset", "ultrafast", path],
  );
}

/** A media file's duration in seconds, as ffprobe gives it. */
export async function probeDuration(path: string): Promise<number> {
  const out = await new Deno.Command("ffprobe", {
    args: ["-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", path],
  }).output();
  if (!out.success) throw new Error(`ffprobe ${path}: ${new TextDecoder().decode(out.stderr).trim()}`);
  return Number(new TextDecoder().decode(out.stdout));
}

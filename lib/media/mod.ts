/**
 * Media: everything that touches ffmpeg, ffprobe and image codecs. Command lines are built in
 * one typed place ({@linkcode probeMedia} and the argument builders in ffmpeg.ts); frames are
 * read by their real timestamps ({@linkcode readVideoFrames}); images are decoded the way
 * OpenCV's `imread` does ({@linkcode decodeImage}); recorded fragmented-MP4 segments are joined
 * into clips without ffmpeg ({@linkcode joinFragmentedMp4}).
 *
 * @example Probe a video and read two frames a second
 * ```ts
 * import { probeMedia, readVideoFrames } from "./mod.ts";
 *
 * const info = await probeMedia("video/samples/vtest.mp4");
 * console.log(info.video?.width, info.video?.height, info.duration);
 * for await (const frame of readVideoFrames("video/samples/vtest.mp4", { sampleFps: 2 })) {
 *   console.log(frame.time.toFixed(2), frame.width, frame.height);
 * }
 * ```
 *
 * @module
 */

export {
  type DecodeFramesOptions,
  type MediaInfo,
  probeMedia,
  type ProbeMediaOptions,
  type RunFfmpegOptions,
  type VideoStreamInfo,
} from "./ffmpeg.ts";
export { assertRegularFile, MEDIA_LIMITS } from "./media_limits.ts";
export { FragmentJoinError, joinFragmentedMp4, type JoinFragmentsOptions } from "./fragmented_mp4_join.ts";
export { decodeImage, type ImageInput, isImageFile, type RgbImage } from "./image.ts";
export { readVideoFrames, type ReadVideoFramesOptions, type VideoFrame } from "./video_frames.ts";
export { stopProcess } from "./process.ts";

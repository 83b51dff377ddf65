/**
 * Capture: a camera's stream in, clips out. {@linkcode RtspSource} supervises one ffmpeg per
 * camera (stream copy into short segments, small grey frames for motion);
 * {@linkcode MotionDetector} turns those frames into motion events; {@linkcode ClipRecorder}
 * cuts clips with pre-roll from the segments; {@linkcode CameraCapture} wires the three
 * together for one camera. Finished clips are listed and read back with {@linkcode listClips}
 * and {@linkcode readClipSidecar}.
 *
 * @example Watch one camera and print each finished clip
 * ```ts
 * import { CameraCapture } from "./mod.ts";
 *
 * const capture = new CameraCapture({
 *   camera: "front",
 *   url: "rtsp://admin:secret@192.168.1.20/stream1",
 *   videoDir: "video",
 *   onClip: (clip) => console.log("new clip", clip.relativePath),
 * });
 * const done = capture.run();
 * Deno.addSignalListener("SIGTERM", () => capture.stop());
 * await done;
 * ```
 *
 * @module
 */

export {
  type CameraSegment,
  RtspSource,
  RtspSourceError,
  type RtspSourceOptions,
  type SourceEvent,
} from "./rtsp_source.ts";
export {
  type Box,
  type GrayFrame,
  MOTION_SETTINGS,
  MotionDetector,
  type MotionDetectorOptions,
  type MotionEvent,
  type MotionUpdate,
  type Point,
} from "./motion_detector.ts";
export {
  ClipError,
  ClipRecorder,
  type ClipRecorderOptions,
  type FinishedClip,
  isoLocal,
} from "./clip_recorder.ts";
export {
  ClipStorage,
  type ClipStorageOptions,
  type DeletedClip,
  type DiskHealth,
  STORAGE_SETTINGS,
  type StorageState,
} from "./clip_storage.ts";
export {
  CameraCapture,
  type CameraCaptureOptions,
  type CameraStatus,
  type CaptureLogEntry,
} from "./camera_capture.ts";
export { type ClipFile, listClips, type ListClipsOptions } from "./clip_files.ts";
export { type ClipSidecar, formatClipSidecar, readClipSidecar, sidecarPathOf } from "./clip_sidecar.ts";
export { CAMERA_NAME_PATTERN, CAMERA_NAME_RULE, isCameraName } from "./camera_name.ts";
export {
  CAMERA_URL_RULE,
  isCameraUrl,
  passwordEncodingProblem,
  PERCENT_ENCODING_HINT,
} from "./camera_url.ts";
export { CLIP_TIMING, type ClipTiming, clipTiming } from "./clip_timing.ts";

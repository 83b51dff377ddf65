/**
 * The rule for what a camera may be read from, in one place: an `rtsp://` or `rtsps://` URL
 * (credentials allowed), an `http(s)://` MJPEG URL, or a video file. Anything else with a
 * scheme (`ftp://`, a typo like `rstp://`) is refused at start rather than handed to ffmpeg.
 *
 * @module
 */

/**
 * The rule in words, for error messages.
 *
 * @example
 * ```ts
 * import { CAMERA_URL_RULE, isCameraUrl } from "./camera_url.ts";
 * const url = "rstp://cam/stream";
 * if (!isCameraUrl(url)) console.error(`a camera must be ${CAMERA_URL_RULE}, got ${url}`);
 * ```
 */
export const CAMERA_URL_RULE = "an rtsp://, rtsps://, http(s):// URL or a file";

/**
 * Whether a string is a camera input capture accepts: a well-formed rtsp(s)/http(s) URL with a
 * host, or something without a scheme (a file path; a missing file is reported when opened).
 *
 * @returns false for a non-string, an empty string, an rtsp(s)/http(s) URL without a host or that `URL`
 *   cannot parse, and any other scheme; true for anything without a scheme, since whether a file exists is
 *   only known when it is opened
 *
 * @example
 * ```ts
 * import { isCameraUrl } from "./camera_url.ts";
 * console.log(isCameraUrl("rtsp://admin:secret@192.168.1.20/stream1")); // true
 * console.log(isCameraUrl("video/samples/vtest.mp4"), isCameraUrl("ftp://cam/x")); // true false
 * ```
 */
export function isCameraUrl(value: unknown): value is string {
  if (typeof value !== "string" || value === "") return false;
  if (/^(rtsps?|https?):\/\/[^/\s]+/i.test(value)) {
    try {
      new URL(value);
      return true;
    } catch {
      return false;
    }
  }
  return !/^[a-z][a-z0-9+.-]*:\/\//i.test(value);
}

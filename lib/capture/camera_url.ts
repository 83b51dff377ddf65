/**
 * The rule for what a camera may be read from, in one place: an `rtsp://` or `rtsps://` URL
 * (credentials allowed), an `http(s)://` MJPEG URL, or a video file. Anything else with a
 * scheme (`ftp://`, a typo like `rstp://`) is refused at start rather than handed to ffmpeg.
 *
 * @module
 */

/**
 * How a password's reserved characters are written in a URL, for error messages: unencoded,
 * `/`, `?`, `#` and white space end the host part (so the camera is looked for at the wrong
 * host), and a `%` starts an escape.
 *
 * @example
 * ```ts
 * import { PERCENT_ENCODING_HINT } from "./camera_url.ts";
 * console.error(`check the password: ${PERCENT_ENCODING_HINT}`);
 * ```
 */
export const PERCENT_ENCODING_HINT: string =
  "in a URL, a password's @ / ? # % and spaces are percent-encoded: " +
  "%40 for @, %2F for /, %3F for ?, %23 for #, %25 for %, %20 for a space";

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
export const CAMERA_URL_RULE: string =
  `an rtsp://, rtsps://, http(s):// URL or a file (${PERCENT_ENCODING_HINT})`;

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

/**
 * Why a camera URL's password cannot reach the camera as written, or undefined when it can (or
 * the URL has none). An unencoded `/`, `?`, `#` or white space in a password ends the host part
 * for every URL parser (ffmpeg's included), which then finds no credentials at all; the password
 * is then taken the way lib/ops/redact.ts takes it, up to the URL's last `@`. A `%` not followed
 * by two hex digits is not an escape. A URL whose host part does hold credentials is taken as
 * written, and so is `http://cam:8080/a@b` (a port, then a path with an `@`). The answer never holds the
 * password, only the characters at fault.
 *
 * @example
 * ```ts
 * import { passwordEncodingProblem } from "./camera_url.ts";
 * console.log(passwordEncodingProblem("rtsp://admin:pa/ss#1@cam/stream"));
 * // 'the password holds an unencoded "/" and "#": in a URL, a password's @ / ? # % and spaces are …'
 * console.log(passwordEncodingProblem("rtsp://admin:pa%2Fss%231@cam/stream")); // undefined
 * ```
 */
export function passwordEncodingProblem(url: string): string | undefined {
  const m = /^[a-z][a-z0-9+.-]*:\/\/([^\s/?#@:]*):/i.exec(url);
  if (!m) return undefined;
  const start = m[0].length;
  const hostPartEnd = url.slice(start).search(/[\s/?#]/);
  const hostPart = hostPartEnd < 0 ? url.slice(start) : url.slice(start, start + hostPartEnd);
  // Credentials where parsers look for them: only a stray `%` can still be wrong.
  const parsed = hostPart.includes("@");
  // `host:8080/a@b` is a port and a path with an `@`, not a password: never refuse it.
  if (!parsed && /^\d{0,5}$/.test(hostPart)) return undefined;
  const at = parsed ? start + hostPart.lastIndexOf("@") : url.lastIndexOf("@");
  if (at < start) return undefined; // `host:port`, no credentials
  const password = url.slice(start, at);
  const found = new Set<string>();
  for (const c of password.match(parsed ? /%(?![0-9a-f]{2})/gi : /[/?#]|\s|%(?![0-9a-f]{2})/gi) ?? []) {
    found.add(/\s/.test(c) ? "space" : `"${c}"`);
  }
  if (found.size === 0) return undefined;
  const names = [...found];
  const list = names.length === 1 ? names[0] : `${names.slice(0, -1).join(", ")} and ${names.at(-1)}`;
  return `the password holds an unencoded ${list}: ${PERCENT_ENCODING_HINT}`;
}

/**
 * Keeping secrets out of logs, errors and files: passwords in URLs are replaced by `***`
 * wherever a URL or a line of tool output is shown.
 *
 * @module
 */

/**
 * A URL with its password (and only its password) replaced by `***`. Text that does not parse
 * as a URL is returned with any `user:password@` part masked all the same.
 *
 * @example
 * ```ts
 * import { redactUrl } from "./redact.ts";
 * console.log(redactUrl("rtsp://admin:hunter2@10.0.0.5:554/stream"));
 * // "rtsp://admin:***@10.0.0.5:554/stream"
 * ```
 */
export function redactUrl(url: string): string {
  return url.replace(/([a-z][a-z0-9+.-]*:\/\/[^/:@\s]*:)[^@\s/]*@/gi, "$1***@");
}

/**
 * Masks every URL password in `text`, and every occurrence of the given secrets (as they are
 * and percent-encoded), for showing tool output such as ffmpeg's error lines.
 *
 * @example
 * ```ts
 * import { redactText } from "./redact.ts";
 * const line = "rtsp://admin:p@ss@10.0.0.5/stream: 401 Unauthorized";
 * console.log(redactText(line, ["p@ss"])); // "rtsp://admin:***@10.0.0.5/stream: 401 Unauthorized"
 * ```
 */
export function redactText(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length < 3) continue; // masking "1" everywhere would hide more than the secret
    for (const form of new Set([secret, encodeURIComponent(secret)])) out = out.split(form).join("***");
  }
  return redactUrl(out);
}

/**
 * The password of a URL, decoded, or undefined.
 *
 * @example
 * ```ts
 * import { urlPassword } from "./redact.ts";
 * console.log(urlPassword("rtsp://admin:p%40ss@cam/stream")); // "p@ss"
 * ```
 */
export function urlPassword(url: string): string | undefined {
  try {
    const password = new URL(url).password;
    return password ? decodeURIComponent(password) : undefined;
  } catch {
    return undefined;
  }
}

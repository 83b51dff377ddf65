/**
 * Keeping secrets out of logs, errors and files: passwords in URLs are replaced by `***`
 * wherever a URL or a line of tool output is shown.
 *
 * A password is found without trusting it to be well formed: it runs from the `:` after
 * `scheme://user` to the last `@` of the URL. People paste camera URLs with the password as
 * the camera's app shows it, unencoded; standard parsers (the URL class, ffmpeg) end the
 * credentials at the first `/`, `?` or `#`, or at the last `@` before it, and masking what they
 * call the password would leave the rest of such a password in view (`admin:***@x@host` for
 * `Secr3t@x`). The price of never under-masking: a URL with a `:` before a path that holds an
 * `@` (`http://host:8080/a@b`) loses more than a password (`http://host:***@b`).
 *
 * @module
 */

/** `scheme://user:`. A "user" holding `/`, `?`, `#`, `@` or white space would be a path. */
const CREDENTIALS = /[a-z][a-z0-9+.-]*:\/\/[^\s/?#@:]*:/gi;

/** Where a URL starting at `from` ends: the end of the text, or the next white space. */
type UrlEnd = (text: string, from: number) => number;

const wholeText: UrlEnd = (text) => text.length;
const nextSpace: UrlEnd = (text, from) => {
  const space = text.slice(from).search(/\s/);
  return space < 0 ? text.length : from + space;
};

/** Each password's place in `text`: from after `scheme://user:` to the URL's last `@`. */
function* passwords(text: string, end: UrlEnd): Generator<{ start: number; at: number }> {
  const credentials = new RegExp(CREDENTIALS.source, CREDENTIALS.flags);
  let match: RegExpExecArray | null;
  while ((match = credentials.exec(text)) !== null) {
    const start = match.index + match[0].length;
    const at = text.lastIndexOf("@", end(text, start) - 1);
    if (at < start) continue; // `host:port` with no credentials
    yield { start, at };
    credentials.lastIndex = at + 1; // what follows the last `@` is the host
  }
}

function maskPasswords(text: string, end: UrlEnd): string {
  let out = "";
  let copied = 0;
  for (const { start, at } of passwords(text, end)) {
    out += text.slice(copied, start) + "***";
    copied = at;
  }
  return out + text.slice(copied);
}

/**
 * A URL with its password replaced by `***`, whatever characters the password holds (an
 * unencoded `@`, `/`, `:`, `#`, `?`, `%` or white space included): the whole string is taken
 * as one URL, whose password ends at its last `@`. User-only URLs and URLs without credentials
 * are returned as they are. Other text is masked all the same, every `scheme://user:` up to the
 * text's last `@`; for tool output, where white space ends a URL, use {@linkcode redactText}.
 *
 * @example
 * ```ts
 * import { redactUrl } from "./redact.ts";
 * console.log(redactUrl("rtsp://admin:hunter2@10.0.0.5:554/stream"));
 * // "rtsp://admin:***@10.0.0.5:554/stream"
 * console.log(redactUrl("rtsp://admin:Secr3t@x@10.0.0.5/stream")); // "rtsp://admin:***@10.0.0.5/stream"
 * console.log(redactUrl("redis://:pa/ss@127.0.0.1:6379")); // "redis://:***@127.0.0.1:6379"
 * ```
 */
export function redactUrl(url: string): string {
  return maskPasswords(url, wholeText);
}

/**
 * Masks every URL password in `text` (each URL ending at white space), and every occurrence of
 * the given secrets: as they are, percent-encoded by `encodeURIComponent`, and as the URL class
 * writes them in a URL, with upper- or lower-case hex digits, and each piece of three or more
 * characters between the `@`, `/`, `?`, `#`, `:` or white space of an unencoded one (a tool
 * that split the URL there may print a piece alone). For showing tool output such as ffmpeg's
 * error lines. Secrets shorter than three characters are masked inside URLs only: masking "22"
 * everywhere would hide more than the secret. A password holding white space is
 * masked in free text only when it is given as a secret ({@linkcode urlPassword} finds it).
 *
 * @param secrets passwords to mask wherever they appear, in addition to those found inside URLs
 *
 * @example
 * ```ts
 * import { redactText, urlPassword } from "./redact.ts";
 * const line = "rtsp://admin:p@ss@10.0.0.5/stream: 401 Unauthorized";
 * console.log(redactText(line, ["p@ss"])); // "rtsp://admin:***@10.0.0.5/stream: 401 Unauthorized"
 *
 * const url = "rtsp://admin:my pass@10.0.0.5/stream";
 * console.log(redactText(`${url}: 401 Unauthorized`, [urlPassword(url)!]));
 * // "rtsp://admin:***@10.0.0.5/stream: 401 Unauthorized"
 * ```
 */
export function redactText(text: string, secrets: readonly string[] = []): string {
  const forms = new Set<string>();
  for (const secret of secrets) {
    if (secret.length < 3) continue;
    for (const form of secretForms(secret)) forms.add(form);
  }
  let out = text;
  // Longest first: a secret that holds another is masked whole, not around the shorter one.
  for (const form of [...forms].sort((a, b) => b.length - a.length)) out = out.split(form).join("***");
  return maskPasswords(out, nextSpace);
}

/** The ways a secret, or a piece of it, can be written in a URL or a tool's output. */
function secretForms(secret: string): string[] {
  const forms = [secret];
  try {
    forms.push(encodeURIComponent(secret));
  } catch { /* a lone surrogate has no percent-encoding */ }
  try {
    // The URL class leaves `!$&'()*+,~` alone in a password, where encodeURIComponent encodes some.
    const url = new URL("http://host");
    url.password = secret;
    forms.push(url.password);
  } catch { /* not representable: the raw form stays */ }
  for (const form of forms.slice(1)) forms.push(form.replace(/%[0-9A-F]{2}/g, (hex) => hex.toLowerCase()));
  // A tool given the password unencoded splits the URL at these characters and may print a
  // piece alone: ffmpeg names `Xq9` as the host it could not resolve for `Sec4et@Xq9/Yz7`.
  forms.push(...secret.split(/[@/?#:\s]+/).filter((piece) => piece.length >= 3));
  return forms;
}

/**
 * The password of a URL, percent-decoded (a stray `%` is kept as it is), or undefined when
 * the URL has none. It is found the way {@linkcode redactUrl} finds it, up to the URL's last
 * `@`, so that a password with unencoded `@`, `/`, `#`, `?` or white space comes back whole,
 * ready to be given to {@linkcode redactText}.
 *
 * @example
 * ```ts
 * import { urlPassword } from "./redact.ts";
 * console.log(urlPassword("rtsp://admin:p%40ss@cam/stream")); // "p@ss"
 * console.log(urlPassword("rtsp://admin:pa/ss#1@cam/stream")); // "pa/ss#1"
 * console.log(urlPassword("rtsp://admin@cam/stream")); // undefined
 * ```
 */
export function urlPassword(url: string): string | undefined {
  for (const { start, at } of passwords(url, wholeText)) {
    const password = url.slice(start, at);
    return password ? percentDecode(password) : undefined;
  }
  return undefined;
}

/** Decodes each run of `%XX` escapes that forms UTF-8, and leaves anything else as written. */
function percentDecode(text: string): string {
  return text.replace(/(?:%[0-9a-f]{2})+/gi, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      return run;
    }
  });
}

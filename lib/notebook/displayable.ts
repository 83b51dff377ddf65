/**
 * Rich output for Deno's Jupyter kernel: an object that carries a MIME bundle under the
 * kernel's display symbol, so that `await Deno.jupyter.display(x)` (or a cell ending in `x`)
 * shows a chart, an image or a table instead of `[object Object]`. Nothing here needs Jupyter:
 * outside a notebook the same objects simply hold their bytes or markup.
 *
 * @module
 */

/**
 * The symbol Deno's Jupyter kernel looks for (`Deno.jupyter.$display`).
 *
 * @example
 * ```ts
 * import { JUPYTER_DISPLAY } from "./displayable.ts";
 * const hello = { [JUPYTER_DISPLAY]: () => ({ "text/plain": "hello" }) };
 * hello; // a notebook cell ending with it shows "hello"
 * ```
 */
export const JUPYTER_DISPLAY: unique symbol = Symbol.for("Jupyter.display") as never;

/**
 * MIME type → content, as Jupyter's `display_data` carries it: text types (`text/plain`,
 * `text/html`, `image/svg+xml`) as they are, binary ones (`image/png`) in base64. The
 * frontend shows the richest type it can; `text/plain` is the fallback every bundle here has.
 *
 * @example
 * ```ts
 * import { base64, type MimeBundle } from "./displayable.ts";
 * const png = await Deno.readFile("snapshot.png");
 * const bundle: MimeBundle = { "image/png": base64(png), "text/plain": "snapshot" };
 * ```
 */
export type MimeBundle = Record<string, string>;

/**
 * Something a Deno notebook can show: `await Deno.jupyter.display(x)`, or a cell ending in `x`.
 *
 * @example
 * ```ts
 * import { type Displayable, JUPYTER_DISPLAY } from "./displayable.ts";
 * class Counter implements Displayable {
 *   constructor(readonly n: number) {}
 *   [JUPYTER_DISPLAY]() {
 *     return { "text/html": `<b>${this.n}</b> clips`, "text/plain": `${this.n} clips` };
 *   }
 * }
 * await Deno.jupyter.display(new Counter(3)); // in a notebook
 * ```
 */
export interface Displayable {
  /** the MIME bundle the kernel sends */
  [JUPYTER_DISPLAY](): MimeBundle;
}

/**
 * Base64 of bytes, for binary MIME types such as `image/png`.
 *
 * @returns standard base64 (`+`, `/`, `=` padding), as Jupyter expects; any size of input, large
 *   images included
 *
 * @example
 * ```ts
 * import { base64 } from "./displayable.ts";
 * console.log(base64(new Uint8Array([1, 2, 3]))); // "AQID"
 * ```
 */
export function base64(bytes: Uint8Array): string {
  let text = "";
  // Chunks keep String.fromCharCode's argument list short for large images.
  for (let i = 0; i < bytes.length; i += 0x8000) {
    text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(text);
}

/**
 * Wraps a MIME bundle so that a notebook displays it.
 *
 * @param bundle sent as it is, every time the object is displayed: give binary types in base64
 *
 * @example
 * ```ts
 * import { displayable, JUPYTER_DISPLAY } from "./displayable.ts";
 * const note = displayable({ "text/markdown": "**ok**", "text/plain": "ok" });
 * console.log(note[JUPYTER_DISPLAY]()["text/plain"]); // "ok"
 * ```
 */
export function displayable(bundle: MimeBundle): Displayable {
  return { [JUPYTER_DISPLAY]: () => bundle };
}

/**
 * A PNG image that a notebook shows as an image.
 *
 * @param png the bytes of a PNG file (not raw pixels); they are not checked
 * @param alt what the plain-text fallback says: `<alt: PNG, 1234 bytes>`
 *
 * @example
 * ```ts
 * import { pngDisplay } from "./displayable.ts";
 * const shown = pngDisplay(await Deno.readFile("snapshot.png"), "snapshot");
 * ```
 */
export function pngDisplay(png: Uint8Array, alt = "image"): Displayable {
  return displayable({ "image/png": base64(png), "text/plain": `<${alt}: PNG, ${png.length} bytes>` });
}

/**
 * An HTML fragment (a table, a list of checks) that a notebook shows as HTML, with a plain-text
 * fallback for consoles and nbconvert's text output.
 *
 * @param html markup, used as it is: pass any text from outside through {@linkcode escapeHtml}
 * @param text the plain-text fallback
 *
 * @example
 * ```ts
 * import { htmlDisplay } from "./displayable.ts";
 * const shown = htmlDisplay("<b>ok</b>", "ok");
 * ```
 */
export function htmlDisplay(html: string, text: string): Displayable {
  return displayable({ "text/html": html, "text/plain": text });
}

const ENTITIES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/**
 * Escapes text for HTML content and attribute values.
 *
 * @returns the text with `&`, `<`, `>`, `"` and `'` as entities; safe inside elements and quoted
 *   attributes (single or double quotes), not inside `<script>` or `<style>`
 *
 * @example
 * ```ts
 * import { escapeHtml } from "./displayable.ts";
 * console.log(escapeHtml(`<a href="x">`)); // "&lt;a href=&quot;x&quot;&gt;"
 * ```
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]);
}

/** A table cell's text: dates in local time, fractions to 3 decimals, objects as JSON. */
function cellText(v: unknown): string {
  if (v === undefined || v === null) return "";
  // "sv-SE" writes dates as YYYY-MM-DD HH:MM:SS, in the process's zone.
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? "" : v.toLocaleString("sv-SE");
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : String(Math.round(v * 1000) / 1000);
  if (Array.isArray(v) && v.every((x) => typeof x === "string")) return v.join(", ");
  return typeof v === "object" ? JSON.stringify(v) : String(v);
}

/**
 * An HTML table of records (columns from every record's keys, in order of appearance), with a
 * caption: dates in local time, fractions to 3 decimals, lists of names joined; at most
 * `maxRows` rows, with a note of how many were left out; "none" when there are no rows.
 *
 * @param rows shown in their order; a key a record lacks, `null` and `undefined` give an empty cell
 * @param caption plain text (it is escaped)
 * @param maxRows the most rows shown; the first ones are kept
 * @returns a `<table>` fragment: `Date`s as `YYYY-MM-DD HH:MM:SS` in the time zone of the process (not
 *   of an analysis' `timeZone`; an invalid date is empty), non-integer numbers rounded to 3 decimals,
 *   arrays of strings joined with `, `, other objects as JSON; every cell escaped
 *
 * @example
 * ```ts
 * import { tableHtml } from "./displayable.ts";
 * console.log(tableHtml([{ camera: "front", clips: 3 }], "Clips"));
 * ```
 */
export function tableHtml(rows: readonly Record<string, unknown>[], caption: string, maxRows = 50): string {
  const head = `<caption style="text-align:left"><b>${escapeHtml(caption)}</b></caption>`;
  if (rows.length === 0) return `<table>${head}<tbody><tr><td><i>none</i></td></tr></tbody></table>`;
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const shown = rows.slice(0, maxRows);
  const body = shown.map((r) =>
    `<tr>${columns.map((c) => `<td>${escapeHtml(cellText(r[c]))}</td>`).join("")}</tr>`
  )
    .join("");
  const more = rows.length > shown.length
    ? `<tr><td colspan="${columns.length}"><i>… ${rows.length - shown.length} more rows</i></td></tr>`
    : "";
  return `<table>${head}<thead><tr>${columns.map((c) => `<th>${escapeHtml(c)}</th>`).join("")}</tr></thead>` +
    `<tbody>${body}${more}</tbody></table>`;
}

/**
 * Something with rows: an array of records, or a DataFrame (nodejs-polars has `toRecords`).
 *
 * @example
 * ```ts
 * import { clipsPerCamera } from "./clip_counts.ts";
 * import type { TableData } from "./displayable.ts";
 * const tables: TableData[] = [[{ camera: "front", clips: 3 }], await clipsPerCamera("video/detections.d")];
 * ```
 */
export type TableData = readonly Record<string, unknown>[] | { toRecords(): Record<string, unknown>[] };

/**
 * A table a notebook shows as HTML, with a caption (see {@linkcode tableHtml}), and as
 * tab-separated text where HTML is not shown.
 *
 * @param data records, or a nodejs-polars DataFrame (its `toRecords()`: Datetime columns become `Date`s)
 * @param caption plain text, the first line of the text form
 * @param maxRows the most rows shown in both forms; the text form does not say how many were left out
 *
 * @example
 * ```ts
 * import { tableDisplay } from "./displayable.ts";
 * const shown = tableDisplay([{ label: "person", clips: 12 }], "Clips per class");
 * ```
 */
export function tableDisplay(data: TableData, caption: string, maxRows = 50): Displayable {
  // Not `"toRecords" in data`: a polars DataFrame is a Proxy whose `in` looks up columns.
  const rows = Array.isArray(data)
    ? data
    : Array.from((data as { toRecords(): Record<string, unknown>[] }).toRecords());
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const text = [
    caption,
    columns.join("\t"),
    ...rows.slice(0, maxRows).map((r) => columns.map((c) => cellText(r[c])).join("\t")),
  ]
    .join("\n");
  return htmlDisplay(tableHtml(rows, caption, maxRows), text);
}

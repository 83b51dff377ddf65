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

/** MIME type → content, as Jupyter's `display_data` carries it (binary types in base64). */
export type MimeBundle = Record<string, string>;

/** Something a Deno notebook can show. */
export interface Displayable {
  /** the MIME bundle the kernel sends */
  [JUPYTER_DISPLAY](): MimeBundle;
}

/**
 * Base64 of bytes, for binary MIME types such as `image/png`.
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

/** Something with rows: an array of records, or a DataFrame (nodejs-polars has `toRecords`). */
export type TableData = readonly Record<string, unknown>[] | { toRecords(): Record<string, unknown>[] };

/**
 * A table a notebook shows as HTML, with a caption (see {@linkcode tableHtml}), and as
 * tab-separated text where HTML is not shown.
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

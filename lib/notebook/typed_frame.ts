/**
 * Typed nodejs-polars DataFrames for the log analyses: every column has an explicit type, so
 * that an empty result still has its columns and types (a notebook cell that filters or plots
 * it runs on an empty log too), plus the cell conversions the analyses share.
 *
 * nodejs-polars is loaded on first use, so that importing this module (and the notebook
 * surface) loads no native library.
 *
 * @example
 * ```ts
 * import { recordFrame } from "./typed_frame.ts";
 * const df = await recordFrame("camera:str clips:u32 first_clip:datetime", [
 *   { camera: "front", clips: 3, first_clip: Date.parse("2026-02-23T08:00:00Z") },
 * ]);
 * console.log(df.toRecords()); // [{ camera: "front", clips: 3, first_clip: 2026-02-23T08:00:00.000Z }]
 * ```
 *
 * @module
 */

import type pl from "nodejs-polars";

/**
 * The type of a column: `datetime` (`Datetime("ms")`, UTC instants; give a `Date`, a number of
 * ms since the epoch, or null), `str`, `u32`, `f64`, `bool`, or `str[]` (a list of strings).
 * Give `u32` columns numbers: nodejs-polars 0.25 stores a null there as 0.
 *
 * @example
 * ```ts
 * import type { ColumnKind } from "./typed_frame.ts";
 * const kinds: ColumnKind[] = ["datetime", "str", "u32", "f64", "bool", "str[]"];
 * ```
 */
export type ColumnKind = "datetime" | "str" | "u32" | "f64" | "bool" | "str[]";

/**
 * A column: its name, its type and its values, one per row (null for a missing value).
 *
 * @example
 * ```ts
 * import type { Column } from "./typed_frame.ts";
 * const clips: Column = ["clips", "u32", [3, 0, 5]];
 * ```
 */
export type Column = readonly [name: string, kind: ColumnKind, values: readonly unknown[]];

const KINDS: readonly string[] = ["datetime", "str", "u32", "f64", "bool", "str[]"];

/** nodejs-polars, loaded on first use. */
async function polars(): Promise<typeof pl> {
  return (await import("nodejs-polars")).default;
}

/**
 * A DataFrame of the columns, in their order, with their types.
 *
 * @param columns all of the same length; in a `datetime` column a number that is not finite, and a
 *   value that is neither a `Date` nor a number, become null
 * @returns a frame of those columns even when they are empty (0 rows, the types kept)
 * @throws {TypeError} when a column's kind is not a {@linkcode ColumnKind}
 * @throws {Error} nodejs-polars' error when the columns differ in length or two share a name
 *
 * @example
 * ```ts
 * import { typedFrame } from "./typed_frame.ts";
 * const empty = await typedFrame([["label", "str", []], ["clips", "u32", []]]);
 * console.log(empty.height, empty.columns); // 0 [ "label", "clips" ]
 * ```
 */
export async function typedFrame(columns: readonly Column[]): Promise<pl.DataFrame> {
  const p = await polars();
  const types = { datetime: p.Datetime("ms"), str: p.Utf8, u32: p.UInt32, f64: p.Float64, bool: p.Bool };
  return p.DataFrame(columns.map(([name, kind, values]) => {
    if (!KINDS.includes(kind)) throw new TypeError(`column ${name}: unknown kind ${JSON.stringify(kind)}`);
    if (kind === "datetime") return p.Series(name, values.map(toDate), types.datetime);
    if (kind !== "str[]") return p.Series(name, [...values], types[kind]);
    // nodejs-polars 0.25 cannot make an empty list series directly, but casts an empty one.
    const list = p.List(p.Utf8);
    return values.length ? p.Series(name, [...values], list) : p.Series(name, [], p.Utf8).cast(list);
  }));
}

/**
 * A DataFrame of row records, with the columns of a schema: `"name:kind"` pairs separated by
 * white space, in column order; each record gives a column's value under its name (missing
 * ones are null).
 *
 * @param schema such as `"label:str clips:u32 first:datetime"`; a name may hold `:` (the kind follows the
 *   last one); keys of the records that are not in it are left out
 * @returns one row per record, in their order; the columns and types of the schema even with no records
 * @throws {TypeError} when a field is not `name:kind` or its kind is not a {@linkcode ColumnKind}
 * @throws {Error} nodejs-polars' error when two fields share a name
 *
 * @example
 * ```ts
 * import { recordFrame } from "./typed_frame.ts";
 * const df = await recordFrame("label:str best:f64 seen:str[]", [{ label: "cat", best: 0.7, seen: ["yard"] }]);
 * console.log(df.columns); // [ "label", "best", "seen" ]
 * ```
 */
export async function recordFrame(
  schema: string,
  rows: readonly object[],
): Promise<pl.DataFrame> {
  const columns = schema.trim().split(/\s+/).map((field): Column => {
    const at = field.lastIndexOf(":");
    if (at <= 0) throw new TypeError(`schema field must be "name:kind", got ${JSON.stringify(field)}`);
    const name = field.slice(0, at);
    return [
      name,
      field.slice(at + 1) as ColumnKind,
      rows.map((row) => (row as Record<string, unknown>)[name] ?? null),
    ];
  });
  return await typedFrame(columns);
}

/**
 * A number when it is a finite one, else null (log lines written by hand or by older workers
 * may lack a field).
 *
 * @returns the value itself, or null for NaN, the infinities and anything not a number (`"3"` included)
 *
 * @example
 * ```ts
 * import { finite } from "./typed_frame.ts";
 * console.log(finite(3), finite(NaN), finite("3")); // 3 null null
 * ```
 */
export function finite(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

/**
 * The `Date` of a time in ms since the epoch, or null for NaN (a time that could not be read).
 *
 * @param t ms since the epoch, as `Date.parse` gives it
 * @returns null for NaN and the infinities
 *
 * @example
 * ```ts
 * import { dateOrNull } from "./typed_frame.ts";
 * console.log(dateOrNull(0), dateOrNull(NaN)); // 1970-01-01T00:00:00.000Z null
 * ```
 */
export function dateOrNull(t: number): Date | null {
  return Number.isFinite(t) ? new Date(t) : null;
}

/**
 * Compares strings by code units, not by locale, so that row and column orders are the same on
 * every machine.
 *
 * @returns negative, 0 or positive, for `Array.prototype.sort`: upper case before lower case, and
 *   accented letters after `z`
 *
 * @example
 * ```ts
 * import { compare } from "./typed_frame.ts";
 * console.log(["yard", "Front", "front"].sort(compare)); // [ "Front", "front", "yard" ]
 * ```
 */
export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function toDate(value: unknown): Date | null {
  if (value instanceof Date) return value;
  return typeof value === "number" ? dateOrNull(value) : null;
}

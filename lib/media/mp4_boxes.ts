/**
 * Reading and writing ISO BMFF (MP4) boxes: the few primitives the fragmented-MP4 join needs.
 * A box is a 32-bit size, a four-character type, and its body; a size of 1 means a 64-bit size
 * follows, 0 means "to the end of the file".
 *
 * @module
 */

/** One box found in a byte array: where it starts, how long it is, and where its body starts. */
export interface Mp4Box {
  /** four-character type (`moov`, `moof`, `trun`, …) */
  readonly type: string;
  /** offset of its size field */
  readonly start: number;
  /** offset just past its end */
  readonly end: number;
  /** offset of its body (after the size, the type and, for a 64-bit size, the large size) */
  readonly body: number;
}

/**
 * The bytes are not boxes (a size that runs past the end, or too small for its header).
 *
 * @example
 * ```ts
 * import { Mp4BoxError, readBoxes } from "./mp4_boxes.ts";
 * try {
 *   readBoxes(new Uint8Array([0, 0, 0, 99, 109, 111, 111, 118]));
 * } catch (e) {
 *   if (e instanceof Mp4BoxError) console.warn(e.message);
 * }
 * ```
 */
export class Mp4BoxError extends Error {}

const latin1 = new TextDecoder("latin1");

/**
 * A DataView over exactly these bytes (a subarray's, not its whole buffer's).
 *
 * @example
 * ```ts
 * import { view } from "./mp4_boxes.ts";
 * const bytes = new Uint8Array([0, 0, 0, 0, 0, 0, 0, 42]).subarray(4);
 * console.log(view(bytes).getUint32(0)); // 42
 * ```
 */
export function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * The boxes that lie one after another in `bytes` between `from` and `to`.
 *
 * @param from offset of the first box
 * @param to offset where the last box must end
 * @throws {Mp4BoxError} when a box's size does not fit
 *
 * @example
 * ```ts
 * import { readBoxes } from "./mp4_boxes.ts";
 * const file = await Deno.readFile("clip.mp4");
 * console.log(readBoxes(file).map((b) => b.type)); // ["ftyp", "moov", "moof", "mdat", …]
 * ```
 */
export function readBoxes(bytes: Uint8Array, from = 0, to = bytes.length): Mp4Box[] {
  const dv = view(bytes);
  const boxes: Mp4Box[] = [];
  for (let at = from; at < to;) {
    const box = boxAt(dv, at, to);
    if (typeof box === "string") throw new Mp4BoxError(box);
    boxes.push(box);
    at = box.end;
  }
  return boxes;
}

/**
 * The box whose header starts at `at` (its header bytes must be in `dv`; 16 are enough), when it
 * ends by `to`; else what is wrong with it, in words. The one reading of a box header.
 */
function boxAt(dv: DataView, at: number, to: number): Mp4Box | string {
  if (to - at < 8 || dv.byteLength - at < 8) return `${to - at} stray bytes at offset ${at}`;
  let size = dv.getUint32(at);
  let body = at + 8;
  if (size === 1) {
    if (to - at < 16 || dv.byteLength - at < 16) return `a 64-bit box size cut off at offset ${at}`;
    size = Number(dv.getBigUint64(at + 8));
    body = at + 16;
  } else if (size === 0) {
    size = to - at;
  }
  const type = fourcc(dv, at + 4);
  if (size < body - at || at + size > to) {
    return `box '${type}' at offset ${at} claims ${size} bytes, ${to - at} are left`;
  }
  return { type, start: at, end: at + size, body };
}

/**
 * The four characters at `at` (a box type, a handler type, a sample entry).
 *
 * @example
 * ```ts
 * import { fourcc, view } from "./mp4_boxes.ts";
 * console.log(fourcc(view(new TextEncoder().encode("....moov")), 4)); // "moov"
 * ```
 */
export function fourcc(dv: DataView, at: number): string {
  return latin1.decode(new Uint8Array(dv.buffer, dv.byteOffset + at, 4));
}

/**
 * The first child box of `parent` with this type, or undefined.
 *
 * @param skip bytes of the parent's body before its children (8 for `stsd`'s version, flags and count)
 *
 * @example
 * ```ts
 * import { childBox, readBoxes } from "./mp4_boxes.ts";
 * const file = await Deno.readFile("clip.mp4");
 * const moov = readBoxes(file).find((b) => b.type === "moov");
 * if (moov) console.log(childBox(file, moov, "mvhd"));
 * ```
 */
export function childBox(bytes: Uint8Array, parent: Mp4Box, type: string, skip = 0): Mp4Box | undefined {
  return readBoxes(bytes, parent.body + skip, parent.end).find((b) => b.type === type);
}

/**
 * The box at the end of a path of types under `parent` (`["mdia", "mdhd"]` under a `trak`), or undefined.
 *
 * @example
 * ```ts
 * import { boxPath, readBoxes } from "./mp4_boxes.ts";
 * const file = await Deno.readFile("clip.mp4");
 * const moov = readBoxes(file).find((b) => b.type === "moov")!;
 * console.log(boxPath(file, moov, ["trak", "mdia", "mdhd"]));
 * ```
 */
export function boxPath(bytes: Uint8Array, parent: Mp4Box, path: readonly string[]): Mp4Box | undefined {
  let box: Mp4Box | undefined = parent;
  for (const type of path) {
    box = childBox(bytes, box, type);
    if (!box) return undefined;
  }
  return box;
}

/**
 * A box made of a type and its body parts, with a 32-bit size.
 *
 * @example
 * ```ts
 * import { makeBox } from "./mp4_boxes.ts";
 * const free = makeBox("free", new Uint8Array(4));
 * console.log(free.length); // 12
 * ```
 */
export function makeBox(type: string, ...parts: Uint8Array[]): Uint8Array {
  const size = 8 + parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(size);
  view(out).setUint32(0, size);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  let at = 8;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * A full box's version and flags (the 4 bytes that open its body).
 *
 * @example
 * ```ts
 * import { childBox, fullBoxHeader, readBoxes } from "./mp4_boxes.ts";
 * const file = await Deno.readFile("clip.mp4");
 * const moov = readBoxes(file).find((b) => b.type === "moov")!;
 * const mvhd = childBox(file, moov, "mvhd")!;
 * console.log(fullBoxHeader(file, mvhd).version); // 0: 32-bit times, 1: 64-bit
 * ```
 */
export function fullBoxHeader(bytes: Uint8Array, box: Mp4Box): { version: number; flags: number } {
  const word = view(bytes).getUint32(box.body);
  return { version: word >>> 24, flags: word & 0xffffff };
}

/**
 * Whether an MP4 file was written whole: its top-level boxes, read from their headers alone,
 * fill the file exactly, and it holds media (`mdat`). A file cut short (a full disk, a killed
 * writer) or never written (0 bytes) is not. Reads a few bytes per top-level box.
 *
 * @example
 * ```ts
 * import { isWholeMp4 } from "./mp4_boxes.ts";
 * if (!(await isWholeMp4("000042.mp4"))) console.warn("segment 42 was not written whole");
 * ```
 */
export async function isWholeMp4(path: string): Promise<boolean> {
  using file = await Deno.open(path);
  const size = (await file.stat()).size;
  const header = new Uint8Array(16);
  let media = false;
  for (let at = 0; at < size;) {
    await file.seek(at, Deno.SeekMode.Start);
    let got = 0;
    while (got < 16) {
      const n = await file.read(header.subarray(got));
      if (n === null) break;
      got += n;
    }
    // The header read at offset 0 of `header` stands for offset `at` of the file.
    const box = boxAt(view(header.subarray(0, got)), 0, size - at);
    if (typeof box === "string") return false;
    if (box.type === "mdat") media = true;
    at += box.end;
  }
  return media;
}

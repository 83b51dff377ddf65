/**
 * Still images: decoding to packed RGB exactly as OpenCV's `imread` does (libjpeg-turbo
 * decoding, EXIF orientation applied, embedded ICC colour profiles ignored), and telling image
 * files from videos by their first bytes.
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import sharp from "sharp";
import { MediaError } from "../errors.ts";
import { assertRegularFile, MEDIA_LIMITS } from "./media_limits.ts";

/** Packed 8-bit RGB pixels, 3 bytes per pixel, rows without padding. */
export interface RgbImage {
  /** width in pixels */
  readonly width: number;
  /** height in pixels */
  readonly height: number;
  /** the pixels, `width * height * 3` bytes */
  readonly data: Uint8Array;
}

/** An image given as a file path or URL, encoded bytes (JPEG, PNG, WebP, …), or raw RGB. */
export type ImageInput = string | URL | Uint8Array | RgbImage;

/**
 * Decodes an image to packed RGB. Grey images are expanded to three equal channels and alpha is
 * dropped, as `cv2.imread(path, IMREAD_COLOR)` does. Raw RGB input is checked and returned as
 * is. Throws {@linkcode MediaError} naming the file when it is missing or not an image.
 *
 * @param input a path or `file:` URL, the encoded bytes of an image file, or raw RGB (returned as is once
 *   checked)
 * @returns packed RGB at the image's size after its EXIF rotation (a portrait photo comes back portrait)
 * @throws {RangeError} when raw RGB has a size that is not a positive integer or `data` is not `width *
 *   height * 3` bytes
 * @throws {MediaError} when the file is missing or not a regular file (a FIFO is refused before it is
 *   opened), or the input is not an image sharp can decode (including truncated files, and images over
 *   `MEDIA_LIMITS.maxFramePixels`)
 *
 * @example
 * ```ts
 * import { decodeImage } from "./image.ts";
 * const img = await decodeImage("tests/fixtures/bus.jpg");
 * console.log(img.width, img.height); // 810 1080
 * ```
 */
export async function decodeImage(input: ImageInput): Promise<RgbImage> {
  if (!(input instanceof Uint8Array) && typeof input === "object" && !(input instanceof URL)) {
    const { width, height, data } = input;
    if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0)) {
      throw new RangeError(`raw image has a bad size ${width}x${height}`);
    }
    if (data.length !== width * height * 3) {
      throw new RangeError(
        `raw image of ${width}x${height} needs ${width * height * 3} bytes of RGB, got ${data.length}`,
      );
    }
    return input;
  }
  const source = input instanceof URL ? fileURLToPath(input) : input;
  const name = typeof source === "string" ? source : "image bytes";
  if (typeof source === "string") await assertRegularFile(source);
  try {
    // ignoreIcc: OpenCV does no colour management; converting would move pixels.
    // rotate(): apply the EXIF orientation, as imread does by default.
    const { data, info } = await sharp(source, {
      ignoreIcc: true,
      failOn: "error",
      limitInputPixels: MEDIA_LIMITS.maxFramePixels,
    })
      .rotate()
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    const pixels = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    if (info.channels === 3) return { width: info.width, height: info.height, data: pixels };
    if (info.channels === 1) {
      const rgb = new Uint8Array(info.width * info.height * 3);
      for (let i = 0; i < pixels.length; i++) rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = pixels[i];
      return { width: info.width, height: info.height, data: rgb };
    }
    throw new Error(`unsupported number of channels: ${info.channels}`);
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    if (typeof source === "string" && /missing|no such file/i.test(reason)) {
      throw new MediaError(`${name}: no such file`, { cause });
    }
    throw new MediaError(`${name}: not a readable image (${reason})`, { cause });
  }
}

/**
 * Whether a file is a still image, judged by its signature (JPEG, PNG, WebP, BMP, TIFF, GIF)
 * rather than its name. Missing files give false.
 *
 * @returns false for a missing or unreadable file, anything but a regular file (a FIFO is never opened), and
 *   for videos; it reads only the first 16 bytes
 *
 * @example
 * ```ts
 * import { isImageFile } from "./image.ts";
 * console.log(await isImageFile("tests/fixtures/bus.jpg")); // true
 * ```
 */
export async function isImageFile(path: string): Promise<boolean> {
  let head: Uint8Array;
  try {
    // Opening a FIFO would block until a writer comes: only regular files are read.
    if (!(await Deno.stat(path)).isFile) return false;
    using file = await Deno.open(path);
    head = new Uint8Array(16);
    const n = (await file.read(head)) ?? 0;
    head = head.subarray(0, n);
  } catch {
    return false;
  }
  const ascii = (from: number, to: number) => String.fromCharCode(...head.subarray(from, to));
  return (head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) ||
    ascii(1, 4) === "PNG" ||
    (ascii(0, 4) === "RIFF" && ascii(8, 12) === "WEBP") ||
    ascii(0, 2) === "BM" ||
    ascii(0, 4) === "II*\0" || ascii(0, 4) === "MM\0*" ||
    ascii(0, 3) === "GIF";
}

/**
 * Videos whose truth is known, for the tracker's tests and bench: person crops from a test image
 * (tests/fixtures/bus.jpg; provenance in tests/fixtures/README.md) moved with
 * ffmpeg over a plain background on paths written here, so the number of distinct objects, which
 * of them stand still and which are only glimpsed are known without anyone labelling frames.
 *
 * `deno run --allow-read --allow-write --allow-run=ffmpeg tools/ground_truth.ts DIR` writes them
 * all into DIR.
 *
 * @module
 */

import { fileURLToPath } from "node:url";

/** A person cut out of a test image: the file and the crop `[x, y, width, height]` in its pixels. */
export interface Cutout {
  /** the image, relative to the repository */
  readonly image: string;
  /** `[x, y, width, height]` in the image's pixels */
  readonly crop: readonly [number, number, number, number];
}

/**
 * The cut-outs, chosen from the model's own boxes on bus.jpg (scores 0.89 and 0.90) so that each
 * holds one person and little of anyone else; the runner's carries a strip of the bus, which the
 * model sometimes calls a bus at 0.25-0.41: a weak false positive that must not count.
 *
 * @example
 * ```ts
 * import { CUTOUTS } from "./ground_truth.ts";
 * console.log(CUTOUTS.walker.image); // "tests/fixtures/bus.jpg"
 * ```
 */
export const CUTOUTS = {
  /** bus.jpg, the man on the left: full body */
  walker: { image: "tests/fixtures/bus.jpg", crop: [50, 399, 194, 504] },
  /** bus.jpg, the man on the right, cut by the picture's edge */
  runner: { image: "tests/fixtures/bus.jpg", crop: [672, 374, 138, 505] },
  /** bus.jpg, the middle man: full body, partly in front of the left one */
  stander: { image: "tests/fixtures/bus.jpg", crop: [221, 408, 123, 449] },
} as const satisfies Record<string, Cutout>;

/** One object of a scene: a cut-out shown from `start` to `end` seconds, moving on a straight line. */
export interface Actor {
  /** which cut-out */
  readonly cutout: keyof typeof CUTOUTS;
  /** height on screen, in pixels */
  readonly height: number;
  /** top-left corner at `start`, in pixels */
  readonly from: readonly [number, number];
  /** top-left corner at `end`, in pixels (the same as `from` for an object that never moves) */
  readonly to: readonly [number, number];
  /** seconds into the video it appears */
  readonly start: number;
  /** seconds into the video it leaves */
  readonly end: number;
}

/** What a video is known to hold. */
export interface Truth {
  /** distinct objects per class that a tracker must count */
  readonly counts: Readonly<Record<string, number>>;
  /** how many of them never move */
  readonly stationary: number;
  /** objects on screen too briefly to count (under 0.2 s): they must be rejected, not counted */
  readonly glimpses: number;
}

/** A ground-truth video: its actors over a plain background, and its truth. */
export interface Scene {
  /** file stem */
  readonly name: string;
  /** what happens, in words */
  readonly description: string;
  /** `[width, height]` */
  readonly size: readonly [number, number];
  /** length in seconds */
  readonly seconds: number;
  /** frames per second of the video */
  readonly fps: number;
  readonly actors: readonly Actor[];
  readonly truth: Truth;
}

/**
 * The synthetic scenes: 640x360 at 10 fps, a few seconds each, small enough that the tests run
 * the real model on them quickly.
 *
 * @example
 * ```ts
 * import { SCENES } from "./ground_truth.ts";
 * console.log(SCENES.map((s) => s.name).includes("crossing")); // true
 * ```
 */
export const SCENES: readonly Scene[] = [
  {
    name: "walk",
    description: "one person walks across, left to right, in 6 s",
    size: [640, 360],
    seconds: 6,
    fps: 10,
    actors: [{ cutout: "walker", height: 200, from: [-20, 120], to: [560, 140], start: 0, end: 6 }],
    truth: { counts: { person: 1 }, stationary: 0, glimpses: 0 },
  },
  {
    name: "crossing",
    description: "two people cross each other's path in opposite directions, one in front of the other",
    size: [640, 360],
    seconds: 6,
    fps: 10,
    actors: [
      { cutout: "walker", height: 200, from: [20, 130], to: [520, 130], start: 0, end: 6 },
      { cutout: "runner", height: 190, from: [540, 120], to: [60, 140], start: 0, end: 6 },
    ],
    truth: { counts: { person: 2 }, stationary: 0, glimpses: 0 },
  },
  {
    name: "standing",
    description: "one person stands still the whole time while another walks past, behind",
    size: [640, 360],
    seconds: 6,
    fps: 10,
    actors: [
      { cutout: "runner", height: 170, from: [560, 60], to: [40, 80], start: 0.5, end: 5.5 },
      { cutout: "stander", height: 220, from: [280, 120], to: [280, 120], start: 0, end: 6 },
    ],
    truth: { counts: { person: 2 }, stationary: 1, glimpses: 0 },
  },
  {
    name: "glimpse",
    description: "one person walks in and stops; another appears for 0.15 s only",
    size: [640, 360],
    seconds: 5,
    fps: 10,
    actors: [
      { cutout: "walker", height: 200, from: [0, 130], to: [200, 130], start: 0, end: 2.5 },
      { cutout: "walker", height: 200, from: [200, 130], to: [200, 130], start: 2.5, end: 5 },
      { cutout: "stander", height: 200, from: [430, 120], to: [430, 120], start: 1.95, end: 2.1 },
    ],
    truth: { counts: { person: 1 }, stationary: 0, glimpses: 1 },
  },
  {
    name: "group",
    description: "three people walk side by side to the right while a fourth walks through them to the left",
    size: [640, 360],
    seconds: 6,
    fps: 10,
    actors: [
      { cutout: "walker", height: 110, from: [-10, 150], to: [450, 160], start: 0, end: 6 },
      { cutout: "stander", height: 115, from: [40, 170], to: [500, 180], start: 0, end: 6 },
      { cutout: "walker", height: 120, from: [90, 190], to: [550, 200], start: 0, end: 6 },
      { cutout: "runner", height: 115, from: [600, 175], to: [0, 165], start: 0, end: 6 },
    ],
    truth: { counts: { person: 4 }, stationary: 0, glimpses: 0 },
  },
];

/**
 * The ffmpeg arguments that draw a scene into `output` (H.264, yuv420p, index first).
 *
 * @param root the repository's folder, where the cut-outs' images are
 *
 * @example
 * ```ts
 * import { SCENES, sceneArgs } from "./ground_truth.ts";
 * console.log(sceneArgs(SCENES[0], "walk.mp4", ".").includes("walk.mp4")); // true
 * ```
 */
export function sceneArgs(scene: Scene, output: string, root: string): string[] {
  const [w, h] = scene.size;
  const inputs: string[] = [];
  const images = [...new Set(scene.actors.map((a) => CUTOUTS[a.cutout].image))];
  for (const image of images) {
    inputs.push("-loop", "1", "-framerate", String(scene.fps), "-i", `${root}/${image}`);
  }
  const chains: string[] = [];
  // A ground, so the background is not a flat field the model might read as anything.
  chains.push(
    `color=c=0x8a9a7a:s=${w}x${h}:r=${scene.fps}:d=${scene.seconds},` +
      `drawbox=x=0:y=${Math.round(h * 0.55)}:w=${w}:h=${h}:color=0x6a6a6a:t=fill[bg0]`,
  );
  let last = "bg0";
  scene.actors.forEach((a, i) => {
    const { image, crop: [cx, cy, cw, ch] } = CUTOUTS[a.cutout];
    const input = images.indexOf(image);
    chains.push(`[${input}:v]crop=${cw}:${ch}:${cx}:${cy},scale=-2:${a.height},setsar=1[a${i}]`);
    const p = `clip((t-${a.start})/${Math.max(a.end - a.start, 1e-3)},0,1)`;
    const x = `${a.from[0]}+(${a.to[0] - a.from[0]})*${p}`;
    const y = `${a.from[1]}+(${a.to[1] - a.from[1]})*${p}`;
    chains.push(
      `[${last}][a${i}]overlay=x='${x}':y='${y}':enable='between(t,${a.start},${a.end - 0.001})':` +
        `eof_action=pass:shortest=0[v${i}]`,
    );
    last = `v${i}`;
  });
  return [
    "-hide_banner",
    "-loglevel",
    "error",
    "-y",
    ...inputs,
    "-filter_complex",
    chains.join(";"),
    "-map",
    `[${last}]`,
    "-t",
    String(scene.seconds),
    "-r",
    String(scene.fps),
    "-c:v",
    "libx264",
    "-preset",
    "veryfast",
    "-crf",
    "20",
    "-pix_fmt",
    "yuv420p",
    "-movflags",
    "+faststart",
    output,
  ];
}

/**
 * Draws a scene into `output` with ffmpeg.
 *
 * @throws {Error} when ffmpeg fails, with its message
 *
 * @example
 * ```ts ignore
 * import { makeSceneVideo, SCENES } from "./ground_truth.ts";
 * await makeSceneVideo(SCENES[0], "/tmp/walk.mp4");
 * ```
 */
export async function makeSceneVideo(scene: Scene, output: string): Promise<void> {
  const root = fileURLToPath(new URL("..", import.meta.url));
  const out = await new Deno.Command("ffmpeg", { args: sceneArgs(scene, output, root), stdin: "null" })
    .output();
  if (!out.success) {
    throw new Error(`ffmpeg drawing ${scene.name}: ${new TextDecoder().decode(out.stderr).trim()}`);
  }
}

if (import.meta.main) {
  const dir = Deno.args[0];
  if (!dir) {
    console.error("usage: tools/ground_truth.ts DIR");
    Deno.exit(2);
  }
  await Deno.mkdir(dir, { recursive: true });
  for (const scene of SCENES) {
    await makeSceneVideo(scene, `${dir}/${scene.name}.mp4`);
    console.log(`${dir}/${scene.name}.mp4: ${scene.description}`);
  }
}

/**
 * Joins fragmented-MP4 segments of one recording into one clip without running ffmpeg: the
 * first segment's `ftyp` and `moov`, then every segment's fragments with their decode times
 * moved onto the clip's timeline, the last ones cut at the clip's end. A clip cut this way costs
 * a file copy instead of an ffmpeg start and a remux (0.5 CPU s per 1080p clip).
 *
 * The segments must come from one recording (same tracks and sample descriptions), as ffmpeg's
 * segment muxer writes them with `movflags=+frag_keyframe+delay_moov+default_base_moof`: each
 * segment's decode times start at 0 and its edit list says where each track's presentation
 * starts, which is how the sound keeps its place against the video across the joins. Anything
 * else is refused with a {@linkcode FragmentJoinError}, and the caller joins with ffmpeg instead.
 *
 * @module
 */

import { CamwatchError } from "../errors.ts";
import {
  boxPath,
  childBox,
  fourcc,
  fullBoxHeader,
  makeBox,
  type Mp4Box,
  Mp4BoxError,
  readBoxes,
  view,
} from "./mp4_boxes.ts";

/** Options of {@linkcode joinFragmentedMp4}. */
export interface JoinFragmentsOptions {
  /**
   * Seconds into the clip where it ends: samples that start from there on are left out (in
   * decoding order, so a clip of a stream with B-frames must not be cut inside a segment).
   * @default the end of the last segment
   */
  readonly endSeconds?: number;
  /**
   * Tag H.265 video `hvc1`, the sample entry Apple's players want (cameras and ffmpeg give `hev1`).
   * @default false
   */
  readonly hvc1?: boolean;
}

/**
 * The segments cannot be joined here (not fragmented, from different recordings, or a layout
 * this join does not handle); the message says which and why. Nothing was written.
 *
 * @example
 * ```ts
 * import { FragmentJoinError, joinFragmentedMp4 } from "./fragmented_mp4_join.ts";
 * try {
 *   await joinFragmentedMp4(["a.mp4", "b.mp4"], "clip.mp4");
 * } catch (e) {
 *   if (e instanceof FragmentJoinError) console.warn(`joining with ffmpeg instead: ${e.message}`);
 *   else throw e;
 * }
 * ```
 */
export class FragmentJoinError extends CamwatchError {}

/** A track as the `moov` describes it. */
interface Track {
  readonly id: number;
  readonly timescale: number;
  readonly video: boolean;
  /** where its presentation starts against the file's: empty edits minus the edit's media time, in seconds */
  readonly shift: number;
  /** seconds of empty edits before it (a recording's first segment keeps the stream's start offsets) */
  readonly delay: number;
  /** the `stsd` box, which must be the same in every segment */
  readonly sampleDescription: string;
  /** `trex` defaults */
  readonly defaultDuration: number;
  readonly defaultSize: number;
}

/** A segment's `ftyp`, `moov` and tracks. */
interface Init {
  readonly ftyp: Uint8Array;
  readonly moov: Mp4Box;
  /** the `moof` boxes, in order */
  readonly moofs: Mp4Box[];
  readonly tracks: Map<number, Track>;
  readonly movieTimescale: number;
}

/** One sample of a track run. */
interface Sample {
  readonly duration: number;
  readonly size: number;
  readonly flags: number;
  readonly cto: number;
  /** absolute offset of its data in the segment file */
  readonly at: number;
}

/** One track run, as read. */
interface Run {
  readonly version: number;
  readonly flags: number;
  readonly firstSampleFlags: number;
  readonly samples: Sample[];
}

/** One track fragment, as read. */
interface TrackFragment {
  readonly track: Track;
  /** the `tfhd` body after its track id, without a base data offset */
  readonly tfhdFlags: number;
  readonly tfhdRest: Uint8Array;
  readonly baseTime: number;
  readonly runs: Run[];
}

const TFHD_BASE_DATA_OFFSET = 0x1;
const TFHD_DEFAULT_DURATION = 0x8;
const TFHD_DEFAULT_SIZE = 0x10;
const TFHD_DEFAULT_BASE_IS_MOOF = 0x20000;
const TRUN_DATA_OFFSET = 0x1;
const TRUN_FIRST_SAMPLE_FLAGS = 0x4;
const TRUN_DURATION = 0x100;
const TRUN_SIZE = 0x200;
const TRUN_FLAGS = 0x400;
const TRUN_CTO = 0x800;

/** Reads a 32- or 64-bit unsigned field, by a full box's version. */
function uintByVersion(dv: DataView, at: number, version: number): number {
  return version === 1 ? Number(dv.getBigUint64(at)) : dv.getUint32(at);
}

/**
 * The offset, in a full box's body, of the field after its creation and modification times
 * (`mvhd`, `tkhd`, `mdhd`): 32-bit times in version 0, 64-bit in version 1.
 */
function afterTimes(bytes: Uint8Array, box: Mp4Box): number {
  return box.body + (fullBoxHeader(bytes, box).version === 1 ? 20 : 12);
}

/** The tracks of a segment's `moov`. */
function readInit(bytes: Uint8Array, path: string): Init {
  const top = readBoxes(bytes);
  const ftyp = top.find((b) => b.type === "ftyp");
  const moov = top.find((b) => b.type === "moov");
  if (!ftyp || !moov) throw new FragmentJoinError(`${path} has no ${ftyp ? "moov" : "ftyp"} box`);
  const dv = view(bytes);
  const mvhd = childBox(bytes, moov, "mvhd");
  const mvex = childBox(bytes, moov, "mvex");
  if (!mvhd || !mvex) throw new FragmentJoinError(`${path} is not a fragmented MP4 (no mvex box)`);
  const movieTimescale = dv.getUint32(afterTimes(bytes, mvhd));
  const trex = new Map<number, { duration: number; size: number }>();
  for (const box of readBoxes(bytes, mvex.body, mvex.end)) {
    if (box.type !== "trex") continue;
    trex.set(dv.getUint32(box.body + 4), {
      duration: dv.getUint32(box.body + 12),
      size: dv.getUint32(box.body + 16),
    });
  }
  const tracks = new Map<number, Track>();
  for (const trak of readBoxes(bytes, moov.body, moov.end).filter((b) => b.type === "trak")) {
    const tkhd = childBox(bytes, trak, "tkhd");
    const mdhd = boxPath(bytes, trak, ["mdia", "mdhd"]);
    const hdlr = boxPath(bytes, trak, ["mdia", "hdlr"]);
    const stsd = boxPath(bytes, trak, ["mdia", "minf", "stbl", "stsd"]);
    if (!tkhd || !mdhd || !hdlr || !stsd) {
      throw new FragmentJoinError(`${path}: a track lacks tkhd, mdhd, hdlr or stsd`);
    }
    const id = dv.getUint32(afterTimes(bytes, tkhd));
    const timescale = dv.getUint32(afterTimes(bytes, mdhd));
    const defaults = trex.get(id);
    if (!defaults) throw new FragmentJoinError(`${path}: track ${id} has no trex box`);
    tracks.set(id, {
      id,
      timescale,
      video: fourcc(dv, hdlr.body + 8) === "vide",
      ...editShift(bytes, trak, movieTimescale, timescale, path),
      sampleDescription: bytes.subarray(stsd.start, stsd.end).join(","),
      defaultDuration: defaults.duration,
      defaultSize: defaults.size,
    });
  }
  if (![...tracks.values()].some((t) => t.video)) throw new FragmentJoinError(`${path} has no video track`);
  const moofs = top.filter((b) => b.type === "moof");
  return { ftyp: bytes.slice(ftyp.start, ftyp.end), moov, moofs, tracks, movieTimescale };
}

/** One entry of an edit list, with the offset of its duration field (to rewrite it). */
interface Edit {
  readonly at: number;
  readonly version: number;
  /** in the movie's timescale */
  readonly duration: number;
  /** in the track's timescale; -1 for an empty edit */
  readonly mediaTime: number;
  readonly rate: number;
}

/** The entries of an `elst` box. */
function editEntries(bytes: Uint8Array, elst: Mp4Box): Edit[] {
  const dv = view(bytes);
  const { version } = fullBoxHeader(bytes, elst);
  const size = version === 1 ? 20 : 12;
  const edits: Edit[] = [];
  const count = dv.getUint32(elst.body + 4);
  for (let i = 0, at = elst.body + 8; i < count; i++, at += size) {
    edits.push({
      at,
      version,
      duration: uintByVersion(dv, at, version),
      mediaTime: version === 1 ? Number(dv.getBigInt64(at + 8)) : dv.getInt32(at + 4),
      rate: dv.getInt16(at + (version === 1 ? 16 : 8)),
    });
  }
  return edits;
}

/** Where a track's presentation starts, from its edit list: empty edits delay it, a media time advances it. */
function editShift(
  bytes: Uint8Array,
  trak: Mp4Box,
  movieTimescale: number,
  timescale: number,
  path: string,
): { shift: number; delay: number } {
  const elst = boxPath(bytes, trak, ["edts", "elst"]);
  if (!elst) return { shift: 0, delay: 0 };
  let delay = 0;
  let mediaTime: number | undefined;
  for (const edit of editEntries(bytes, elst)) {
    if (edit.mediaTime === -1) delay += edit.duration / movieTimescale;
    else if (mediaTime === undefined && edit.rate === 1) mediaTime = edit.mediaTime;
    else {throw new FragmentJoinError(
        `${path}: an edit list this join does not follow (several edits or a rate)`,
      );}
  }
  return { shift: delay - (mediaTime ?? 0) / timescale, delay };
}

/** The track fragments of one `moof`, with their samples' data located in the file. */
function readFragment(bytes: Uint8Array, moof: Mp4Box, init: Init, path: string): TrackFragment[] {
  const dv = view(bytes);
  const fragments: TrackFragment[] = [];
  for (const traf of readBoxes(bytes, moof.body, moof.end)) {
    if (traf.type === "mfhd") continue;
    if (traf.type !== "traf") throw new FragmentJoinError(`${path}: a '${traf.type}' box in a moof`);
    let tfhd: Mp4Box | undefined;
    let baseTime: number | undefined;
    const runBoxes: Mp4Box[] = [];
    for (const box of readBoxes(bytes, traf.body, traf.end)) {
      if (box.type === "tfhd") tfhd = box;
      else if (box.type === "tfdt") {
        baseTime = uintByVersion(dv, box.body + 4, fullBoxHeader(bytes, box).version);
      } else if (box.type === "trun") runBoxes.push(box);
      else throw new FragmentJoinError(`${path}: a '${box.type}' box in a track fragment`);
    }
    if (!tfhd || baseTime === undefined) {
      throw new FragmentJoinError(`${path}: a track fragment without tfhd or tfdt`);
    }
    const { flags } = fullBoxHeader(bytes, tfhd);
    const track = init.tracks.get(dv.getUint32(tfhd.body + 4));
    if (!track) throw new FragmentJoinError(`${path}: a fragment of a track the moov does not declare`);
    let at = tfhd.body + 8;
    let base = moof.start;
    if (flags & TFHD_BASE_DATA_OFFSET) {
      base = Number(dv.getBigUint64(at));
      at += 8;
    } else if (!(flags & TFHD_DEFAULT_BASE_IS_MOOF) && fragments.length > 0) {
      throw new FragmentJoinError(`${path}: track fragments whose data offsets depend on each other`);
    }
    const tfhdRest = bytes.slice(at, tfhd.end);
    if (flags & 0x2) at += 4; // sample description index
    const defaultDuration = flags & TFHD_DEFAULT_DURATION ? dv.getUint32(at) : track.defaultDuration;
    if (flags & TFHD_DEFAULT_DURATION) at += 4;
    const defaultSize = flags & TFHD_DEFAULT_SIZE ? dv.getUint32(at) : track.defaultSize;
    const runs: Run[] = [];
    let data = base;
    for (const trun of runBoxes) {
      const { version, flags: tf } = fullBoxHeader(bytes, trun);
      const count = dv.getUint32(trun.body + 4);
      let p = trun.body + 8;
      if (tf & TRUN_DATA_OFFSET) {
        data = base + dv.getInt32(p);
        p += 4;
      }
      const firstSampleFlags = tf & TRUN_FIRST_SAMPLE_FLAGS ? dv.getUint32(p) : 0;
      if (tf & TRUN_FIRST_SAMPLE_FLAGS) p += 4;
      const samples: Sample[] = [];
      for (let i = 0; i < count; i++) {
        const duration = tf & TRUN_DURATION ? dv.getUint32(p) : defaultDuration;
        if (tf & TRUN_DURATION) p += 4;
        const size = tf & TRUN_SIZE ? dv.getUint32(p) : defaultSize;
        if (tf & TRUN_SIZE) p += 4;
        const sampleFlags = tf & TRUN_FLAGS ? dv.getUint32(p) : 0;
        if (tf & TRUN_FLAGS) p += 4;
        const cto = tf & TRUN_CTO ? (version === 0 ? dv.getUint32(p) : dv.getInt32(p)) : 0;
        if (tf & TRUN_CTO) p += 4;
        if (p > trun.end) throw new FragmentJoinError(`${path}: a trun box shorter than its samples`);
        if (data + size > bytes.length) {
          throw new FragmentJoinError(`${path}: sample data past the end of the file`);
        }
        samples.push({ duration, size, flags: sampleFlags, cto, at: data });
        data += size;
      }
      runs.push({ version, flags: tf | TRUN_DATA_OFFSET, firstSampleFlags, samples });
    }
    fragments.push({
      track,
      tfhdFlags: (flags & ~TFHD_BASE_DATA_OFFSET) | TFHD_DEFAULT_BASE_IS_MOOF,
      tfhdRest,
      baseTime,
      runs,
    });
  }
  return fragments;
}

/**
 * Where a segment's video is shown on its own timeline (its edit list applied): from its first
 * frame's start to its last frame's end, in seconds; undefined when it holds no video.
 */
function videoSpan(fragments: readonly TrackFragment[][]): { start: number; end: number } | undefined {
  let start = Infinity;
  let end = -Infinity;
  for (const { track, baseTime, runs } of fragments.flat()) {
    if (!track.video) continue;
    let time = baseTime;
    for (const s of runs.flatMap((r) => r.samples)) {
      start = Math.min(start, (time + s.cto) / track.timescale + track.shift);
      end = Math.max(end, (time + s.cto + s.duration) / track.timescale + track.shift);
      time += s.duration;
    }
  }
  return start < end ? { start, end } : undefined;
}

/** Bytes per sample of a trun with these flags. */
function sampleBytes(flags: number): number {
  return 4 * [TRUN_DURATION, TRUN_SIZE, TRUN_FLAGS, TRUN_CTO].filter((f) => flags & f).length;
}

/** A kept run: its samples (a prefix of the read ones) and where its data goes in the new mdat. */
interface KeptRun {
  readonly run: Run;
  readonly samples: Sample[];
}

/** A new `moof` + `mdat` from kept track fragments, numbered `sequence`. */
function writeFragment(
  bytes: Uint8Array,
  sequence: number,
  trafs: { fragment: TrackFragment; baseTime: number; runs: KeptRun[] }[],
): Uint8Array {
  const u32 = (n: number) => {
    const b = new Uint8Array(4);
    view(b).setUint32(0, n);
    return b;
  };
  const trunSize = (k: KeptRun) =>
    8 + 8 + 4 + (k.run.flags & TRUN_FIRST_SAMPLE_FLAGS ? 4 : 0) + k.samples.length * sampleBytes(k.run.flags);
  const tfhdSize = (f: TrackFragment) => 8 + 8 + f.tfhdRest.length;
  const moofSize = 8 + 16 +
    trafs.reduce(
      (n, t) => n + 8 + tfhdSize(t.fragment) + 20 + t.runs.reduce((m, k) => m + trunSize(k), 0),
      0,
    );
  let dataAt = moofSize + 8; // the first sample's offset from the moof: past the moof and the mdat header
  const trafBoxes: Uint8Array[] = [];
  const data: Uint8Array[] = [];
  for (const { fragment, baseTime, runs } of trafs) {
    const tfdt = new Uint8Array(12);
    view(tfdt).setUint32(0, 0x01000000);
    view(tfdt).setBigUint64(4, BigInt(baseTime));
    const truns = runs.map((k) => {
      const body = new Uint8Array(trunSize(k) - 8);
      const dv = view(body);
      dv.setUint32(0, (k.run.version << 24) | k.run.flags);
      dv.setUint32(4, k.samples.length);
      dv.setInt32(8, dataAt);
      let p = 12;
      if (k.run.flags & TRUN_FIRST_SAMPLE_FLAGS) {
        dv.setUint32(p, k.run.firstSampleFlags);
        p += 4;
      }
      for (const s of k.samples) {
        for (
          const [flag, value] of [[TRUN_DURATION, s.duration], [TRUN_SIZE, s.size], [TRUN_FLAGS, s.flags]]
        ) {
          if (k.run.flags & flag) {
            dv.setUint32(p, value);
            p += 4;
          }
        }
        if (k.run.flags & TRUN_CTO) {
          if (k.run.version === 0) dv.setUint32(p, s.cto);
          else dv.setInt32(p, s.cto);
          p += 4;
        }
        data.push(bytes.subarray(s.at, s.at + s.size));
        dataAt += s.size;
      }
      return makeBox("trun", body);
    });
    trafBoxes.push(
      makeBox(
        "traf",
        makeBox("tfhd", u32(fragment.tfhdFlags), u32(fragment.track.id), fragment.tfhdRest),
        makeBox("tfdt", tfdt),
        ...truns,
      ),
    );
  }
  const moof = makeBox("moof", makeBox("mfhd", u32(0), u32(sequence)), ...trafBoxes);
  // moof and mdat in one buffer, so that a fragment is one write however many samples it holds.
  const mdatSize = 8 + data.reduce((n, d) => n + d.length, 0);
  const out = new Uint8Array(moof.length + mdatSize);
  out.set(moof);
  out.set(makeBox("mdat"), moof.length);
  view(out).setUint32(moof.length, mdatSize);
  let at = moof.length + 8;
  for (const d of data) {
    out.set(d, at);
    at += d.length;
  }
  return out;
}

/**
 * The first segment's `moov` for the clip: a `mehd` box (its length, which players show before
 * reading the fragments) added to `mvex` or set there, and `hev1` renamed `hvc1` when asked.
 *
 * @returns the box and the offset, inside it, of the 64-bit length to fill in at the end
 */
function clipMoov(
  bytes: Uint8Array,
  init: Init,
  hvc1: boolean,
  start: number,
  path: string,
): { moov: Uint8Array; lengthAt: number } {
  const { moov } = init;
  const mvex = childBox(bytes, moov, "mvex")!;
  if (moov.body - moov.start !== 8 || mvex.body - mvex.start !== 8) {
    throw new FragmentJoinError(`${path}: a moov or mvex box with a 64-bit size`);
  }
  const children = readBoxes(bytes, mvex.body, mvex.end).filter((b) => b.type !== "mehd");
  const mehd = new Uint8Array(20);
  view(mehd).setUint32(0, 20);
  mehd.set([0x6d, 0x65, 0x68, 0x64, 1, 0, 0, 0], 4); // "mehd", version 1
  const newMvex = makeBox("mvex", mehd, ...children.map((b) => bytes.subarray(b.start, b.end)));
  const before = bytes.subarray(moov.body, mvex.start);
  const after = bytes.subarray(mvex.end, moov.end);
  const out = makeBox("moov", before, newMvex, after);
  // The delay all tracks share (the stream's offset at its start) is taken out of their empty edits.
  const early = Math.round(start * init.movieTimescale);
  const dv = view(out);
  for (const trak of readBoxes(out, 8, out.length).filter((b) => b.type === "trak")) {
    const stsd = boxPath(out, trak, ["mdia", "minf", "stbl", "stsd"]);
    const entry = hvc1 && stsd && childBox(out, stsd, "hev1", 8);
    if (entry) out.set([0x68, 0x76, 0x63, 0x31], entry.start + 4); // "hvc1"
    const elst = boxPath(out, trak, ["edts", "elst"]);
    if (!elst || early === 0) continue;
    let cut = early;
    for (const { at, version, duration, mediaTime } of editEntries(out, elst)) {
      if (cut <= 0 || mediaTime !== -1) break;
      const left = duration - Math.min(duration, cut);
      cut -= duration - left;
      if (version === 1) dv.setBigUint64(at, BigInt(left));
      else dv.setUint32(at, left);
    }
  }
  return { moov: out, lengthAt: 8 + before.length + 8 + 12 };
}

/** Writes all of `chunk`. */
async function writeAll(file: Deno.FsFile, chunk: Uint8Array): Promise<void> {
  for (let at = 0; at < chunk.length;) at += await file.write(chunk.subarray(at));
}

/**
 * Joins fragmented-MP4 segments of one recording, in order, into `output` (created or
 * truncated), cut at `endSeconds` when given. The clip's timeline starts at the first segment's
 * start; each further segment starts where the video of the one before it ends, and each track
 * keeps its place against the video as the segment's edit list gives it.
 *
 * @param parts paths of the segments, in recording order
 * @param output path of the clip to write
 * @returns the clip's length in seconds (its longest track)
 * @throws {FragmentJoinError} when the segments are not fragmented MP4 of one recording, or use a layout this
 *   join does not handle: nothing is written then
 * @throws {Deno.errors.NotFound} and other I/O errors reading the segments or writing the clip
 *
 * @example
 * ```ts
 * import { joinFragmentedMp4 } from "./fragmented_mp4_join.ts";
 * const seconds = await joinFragmentedMp4(["000001.mp4", "000002.mp4"], "clip.mp4", { endSeconds: 3.5 });
 * console.log(`${seconds} s`);
 * ```
 */
export async function joinFragmentedMp4(
  parts: readonly string[],
  output: string,
  options: JoinFragmentsOptions = {},
): Promise<number> {
  if (parts.length === 0) throw new FragmentJoinError("no segment to join");
  const end = options.endSeconds ?? Infinity;
  let file: Deno.FsFile | undefined;
  let lengthAt = 0;
  let first: Init | undefined;
  let offset = 0; // the current segment's own time 0 on the clip's timeline, in seconds
  let videoEnd: number | undefined; // where the last segment's video ends on the clip's timeline
  let sequence = 1;
  let length = 0;
  let start = 0;
  const done = new Set<number>();
  let current = parts[0];
  try {
    for (const path of parts) {
      const bytes = await Deno.readFile(path);
      current = path;
      const init = readInit(bytes, path);
      if (!first) {
        first = init;
        // The clip starts with the earliest track: a delay all tracks share is left out.
        start = Math.min(...[...init.tracks.values()].map((t) => t.delay));
        const clip = clipMoov(bytes, init, options.hvc1 === true, start, path);
        file = await Deno.open(output, { write: true, create: true, truncate: true });
        await writeAll(file, init.ftyp);
        lengthAt = init.ftyp.length + clip.lengthAt;
        await writeAll(file, clip.moov);
      } else {
        for (const [id, track] of init.tracks) {
          const same = first.tracks.get(id);
          if (
            !same || same.timescale !== track.timescale ||
            same.sampleDescription !== track.sampleDescription ||
            init.tracks.size !== first.tracks.size
          ) {
            throw new FragmentJoinError(
              `${path} is not of the same recording as ${parts[0]} (its tracks differ)`,
            );
          }
        }
      }
      const fragments = init.moofs.map((moof) => readFragment(bytes, moof, init, path));
      const span = videoSpan(fragments);
      if (!span) continue; // no video to place it by (a segment is cut at video keyframes: none seen)
      // Each segment's video starts where the one before it ends.
      offset = videoEnd === undefined ? 0 : videoEnd - span.start;
      videoEnd = offset + span.end;
      for (const trafs of fragments) {
        const kept: { fragment: TrackFragment; baseTime: number; runs: KeptRun[] }[] = [];
        for (const fragment of trafs) {
          const { track } = fragment;
          const started = first.tracks.get(track.id)!;
          // This segment's decode times on the clip's timeline, in the track's units.
          const baseTime = fragment.baseTime +
            Math.round((offset + track.shift - started.shift) * track.timescale);
          let time = baseTime;
          const runs: KeptRun[] = [];
          for (const run of fragment.runs) {
            const samples: Sample[] = [];
            for (const s of run.samples) {
              if (done.has(track.id)) break;
              if ((time + s.cto) / track.timescale + started.shift - start >= end) {
                done.add(track.id);
                break;
              }
              samples.push(s);
              length = Math.max(
                length,
                (time + s.cto + s.duration) / track.timescale + started.shift - start,
              );
              time += s.duration;
            }
            if (samples.length > 0) runs.push({ run, samples });
          }
          if (runs.length > 0) kept.push({ fragment, baseTime, runs });
        }
        if (kept.length > 0) await writeAll(file!, writeFragment(bytes, sequence++, kept));
      }
      if (done.size >= first.tracks.size) break;
    }
    const mehd = new Uint8Array(8);
    view(mehd).setBigUint64(0, BigInt(Math.round(length * first!.movieTimescale)));
    await file!.seek(lengthAt, Deno.SeekMode.Start);
    await writeAll(file!, mehd);
    return length;
  } catch (e) {
    // A field read past its box (a RangeError from the DataView) is a layout this join cannot follow.
    const refused = e instanceof Mp4BoxError || e instanceof RangeError
      ? new FragmentJoinError(`${current}: ${e.message}`, { cause: e })
      : e;
    if (file && refused instanceof FragmentJoinError) await Deno.remove(output).catch(() => {});
    throw refused;
  } finally {
    file?.close();
  }
}

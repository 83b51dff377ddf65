/**
 * exportYoloDataset: whole exports with the real ffmpeg and the bundled model over pieces of
 * the sample.
 */
import assert from "node:assert/strict";
import { basename, join, resolve } from "node:path";
import sharp from "sharp";
import YAML from "yaml";
import { probeMedia } from "../../lib/media/ffmpeg.ts";
import { type Detection, YoloAnalyzer } from "../../lib/yolo/yolo_analyzer.ts";
import { datasetItemName, datasetSplit } from "../../lib/notebook/dataset_split.ts";
import { lowConfidence } from "../../lib/notebook/frame_filters.ts";
import { exportYoloDataset, type YoloDatasetSummary } from "../../lib/notebook/yolo_dataset_export.ts";
import { clipBox, DatasetError, readYoloLabels } from "../../lib/notebook/yolo_format.ts";
import { cutSample, ffmpeg, repoPath } from "../helpers/media.ts";

const SAMPLE = repoPath("video/samples/vtest.mp4");

/** `count` clip paths under cam<k>/ whose split at 0.2 is the one asked for, in order. */
function clipNamesOn(split: "train" | "val", count: number, from: number): string[] {
  const found: string[] = [];
  for (let k = from; found.length < count; k++) {
    const name = `cam${k}/clip${k}.mp4`;
    if (datasetSplit(name, 0.2) === split) found.push(name);
  }
  return found;
}

async function filesUnder(dir: string): Promise<string[]> {
  const found: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) found.push(...await filesUnder(path));
    else found.push(path);
  }
  return found.sort();
}

async function labelTexts(summary: YoloDatasetSummary): Promise<string[]> {
  return await Promise.all(summary.items.map((i) => Deno.readTextFile(i.label)));
}

Deno.test("exportYoloDataset with the real model over pieces of the sample", async (t) => {
  const tmp = await Deno.makeTempDir({ prefix: "camwatch-dataset-" });
  try {
    const videoDir = join(tmp, "video");
    // Two clips for train and one for val, from different parts of the footage.
    const clips = [...clipNamesOn("train", 2, 0), ...clipNamesOn("val", 1, 0)];
    for (const clip of clips) await Deno.mkdir(join(videoDir, clip, ".."), { recursive: true });
    await cutSample(join(videoDir, clips[0]), 3);
    for (const [k, start] of [[1, 20], [2, 45]] as const) {
      await ffmpeg(
        ...["-ss", String(start), "-i", SAMPLE, "-t", "2.5", "-c:v", "libx264", "-preset", "ultrafast"],
        ...["-an", join(videoDir, clips[k])],
      );
    }
    await using analyzer = await YoloAnalyzer.create();
    const out = join(tmp, "out");
    let progress = 0;
    const summary = await exportYoloDataset(analyzer, clips, out, {
      videoDir,
      classes: ["person"],
      onProgress: (p) => {
        progress++;
        assert.equal(p.total, 3);
      },
    });

    await t.step("data.yaml: absolute path, folders, the model's 80 names", async () => {
      assert.equal(summary.outDir, resolve(out));
      const data = YAML.parse(await Deno.readTextFile(summary.dataYaml));
      assert.equal(data.path, resolve(out));
      assert.equal(data.train, "images/train");
      assert.equal(data.val, "images/val");
      assert.equal(Object.keys(data.names).length, 80);
      assert.equal(data.names[0], "person");
      assert.equal(data.names[79], "toothbrush");
    });

    await t.step("every clip read, frames exported on both sides, nothing skipped", () => {
      assert.deepEqual(summary.skipped, []);
      assert.equal(progress, 3);
      assert.deepEqual(summary.clips.map((c) => c.clip), clips);
      assert.deepEqual(summary.clips.map((c) => c.split), ["train", "train", "val"]);
      assert.ok(summary.images.train >= 4 && summary.images.val >= 2, JSON.stringify(summary.images));
      assert.equal(summary.items.length, summary.images.train + summary.images.val);
      assert.deepEqual(Object.keys(summary.boxes), ["person"]);
      assert.equal(summary.boxes.person, summary.items.reduce((n, i) => n + i.detections.length, 0));
    });

    await t.step("label files: 5 fields, class 0, values in [0, 1]", async () => {
      let lines = 0;
      for (const text of await labelTexts(summary)) {
        for (const line of text.trimEnd().split("\n")) {
          const fields = line.split(" ");
          assert.equal(fields.length, 5, line);
          assert.equal(fields[0], "0", line);
          for (const f of fields.slice(1)) {
            assert.match(f, /^\d\.\d{6}$/, line);
            assert.ok(Number(f) >= 0 && Number(f) <= 1, line);
          }
          lines++;
        }
      }
      assert.equal(lines, summary.boxes.person);
    });

    await t.step("images are JPEGs of the video's size, one per item, where the item says", async () => {
      const files = await filesUnder(out);
      const expected = [summary.dataYaml, ...summary.items.flatMap((i) => [i.image, i.label])].sort();
      assert.deepEqual(files, expected);
      for (const item of summary.items) {
        const video = (await probeMedia(join(videoDir, item.clip))).video!;
        const meta = await sharp(item.image).metadata();
        assert.equal(meta.format, "jpeg");
        assert.deepEqual([meta.width, meta.height], [video.width, video.height]);
        assert.deepEqual([item.width, item.height], [768, 576]);
        assert.match(item.name, /^cam\d+_clip\d+_\d{6}$/);
        assert.equal(item.name, datasetItemName(item.clip, item.time));
      }
    });

    // The same frames analysed independently, to check the labels against the detector.
    const analysed = new Map<string, { time: number; persons: Detection[] }[]>();
    for (const clip of clips) {
      const frames = [];
      for await (const f of analyzer.analyzeVideo(join(videoDir, clip), { sampleFps: 1 })) {
        frames.push({ time: f.time, persons: f.detections.filter((d) => d.label === "person") });
      }
      analysed.set(clip, frames);
    }

    await t.step("every sampled frame with a person is exported, its boxes within 1 px", async () => {
      for (const clip of clips) {
        const withPerson = analysed.get(clip)!.filter((f) => f.persons.length > 0);
        const items = summary.items.filter((i) => i.clip === clip);
        assert.deepEqual(items.map((i) => i.time), withPerson.map((f) => f.time), clip);
        for (const [k, item] of items.entries()) {
          const labels = await readYoloLabels(item.label, item.width, item.height);
          const expected = withPerson[k].persons.map((d) => clipBox(d.box, 768, 576)!);
          assert.equal(labels.length, expected.length, item.name);
          for (const [j, label] of labels.entries()) {
            assert.equal(label.classId, 0);
            for (let c = 0; c < 4; c++) {
              assert.ok(
                Math.abs(label.box[c] - expected[j][c]) <= 1,
                `${item.name}: ${label.box} vs ${expected[j]}`,
              );
            }
          }
          assert.deepEqual(item.detections.map((d) => d.score), withPerson[k].persons.map((d) => d.score));
        }
      }
    });

    await t.step("each clip on one side, the same on a second run", async () => {
      for (const clip of clips) {
        const sides = new Set(summary.items.filter((i) => i.clip === clip).map((i) => i.split));
        assert.equal(sides.size, 1, `${clip} on ${[...sides]}`);
        const [side] = sides;
        assert.equal(side, datasetSplit(clip, 0.2));
        for (const i of summary.items.filter((i) => i.clip === clip)) {
          assert.ok(i.image.includes(`/images/${side}/`) && i.label.includes(`/labels/${side}/`), i.image);
        }
      }
      const again = await exportYoloDataset(analyzer, clips, join(tmp, "again"), {
        videoDir,
        classes: ["person"],
      });
      const key = (s: YoloDatasetSummary) => s.items.map((i) => `${i.split}/${i.name}`);
      assert.deepEqual(key(again), key(summary));
      assert.deepEqual(await labelTexts(again), await labelTexts(summary));
    });

    await t.step("a non-empty folder is refused and left alone, unless overwrite or append", async () => {
      const before = await filesUnder(out);
      await assert.rejects(
        () => exportYoloDataset(analyzer, clips, out, { videoDir }),
        (e: unknown) => e instanceof DatasetError && /not empty.*overwrite.*append/.test(e.message),
      );
      assert.deepEqual(await filesUnder(out), before);

      // overwrite replaces the dataset (and only ours: a stranger file stays).
      await Deno.writeTextFile(join(out, "notes.txt"), "mine");
      const small = await exportYoloDataset(analyzer, clips, out, {
        videoDir,
        classes: ["person"],
        mode: "overwrite",
        maxFrames: 2,
      });
      assert.equal(small.items.length, 2);
      assert.deepEqual(
        await filesUnder(out),
        [join(out, "notes.txt"), small.dataYaml, ...small.items.flatMap((i) => [i.image, i.label])].sort(),
      );

      // append adds the next clip's frames and keeps the others.
      const more = await exportYoloDataset(analyzer, [clips[2]], out, {
        videoDir,
        classes: ["person"],
        mode: "append",
        maxFramesPerClip: 1,
      });
      assert.equal(more.items.length, 1);
      const files = await filesUnder(out);
      for (const item of [...small.items, ...more.items]) assert.ok(files.includes(item.image), item.image);
      assert.equal(files.filter((f) => f.endsWith(".jpg")).length, 3);
    });

    await t.step("unreadable clips are skipped and reported, the rest exported", async () => {
      await Deno.mkdir(join(videoDir, "bad"), { recursive: true });
      await Deno.writeFile(join(videoDir, "bad/garbage.mp4"), crypto.getRandomValues(new Uint8Array(50_000)));
      const whole = await Deno.readFile(join(videoDir, clips[0]));
      await Deno.writeFile(
        join(videoDir, "bad/truncated.mp4"),
        whole.subarray(0, Math.floor(whole.length * 0.7)),
      );
      await Deno.writeTextFile(join(tmp, "outside.mp4"), "x");
      const given = ["bad/garbage.mp4", clips[1], "bad/truncated.mp4", "bad/missing.mp4", "../outside.mp4"];
      const mixed = await exportYoloDataset(analyzer, given, join(tmp, "mixed"), {
        videoDir,
        classes: ["person"],
        valFraction: 0,
      });
      assert.deepEqual(mixed.skipped.map((s) => s.clip), [
        "bad/garbage.mp4",
        "bad/truncated.mp4",
        "bad/missing.mp4",
        "../outside.mp4",
      ]);
      assert.match(mixed.skipped[0].error, /garbage\.mp4: cannot decode/);
      assert.match(mixed.skipped[1].error, /truncated\.mp4: damaged or truncated/);
      assert.match(mixed.skipped[2].error, /missing\.mp4/);
      assert.match(mixed.skipped[3].error, /outside the video folder/);
      assert.deepEqual(mixed.clips.map((c) => c.clip), [clips[1]]);
      const expected = summary.items.filter((i) => i.clip === clips[1]).map((i) => `train/${i.name}`);
      assert.deepEqual(mixed.items.map((i) => `${i.split}/${i.name}`), expected);
      // The truncated clip's frames decoded before the damage were written, then removed again.
      const files = await filesUnder(join(tmp, "mixed"));
      assert.equal(files.filter((f) => f.includes("bad_")).length, 0, files.join("\n"));
      assert.equal(files.length, 1 + 2 * expected.length);
    });

    await t.step("log lines name images after their camera; clashing names get the clip's hash", async () => {
      const stem = basename(clips[0], ".mp4");
      await Deno.mkdir(join(videoDir, "door"), { recursive: true });
      await Deno.copyFile(join(videoDir, clips[0]), join(videoDir, `door/${stem}.mp4`));
      // The log line's camera "door" and the folder door/ would both give door_<stem>_<ms>.
      const given = [{ filename: clips[0], camera: "door" }, `door/${stem}.mp4`, `./${clips[0]}`];
      const named = await exportYoloDataset(analyzer, given, join(tmp, "named"), {
        videoDir,
        classes: ["person"],
        maxFramesPerClip: 1,
      });
      assert.deepEqual(named.clips.map((c) => c.clip), [clips[0], `door/${stem}.mp4`]); // listed twice: once
      const names = named.items.map((i) => i.name);
      assert.equal(names.length, 2);
      assert.notEqual(names[0], names[1]);
      for (const name of names) assert.match(name, new RegExp(`^door_${stem}_[0-9a-f]{8}_000000$`));
    });

    await t.step("background frames only when asked, with empty label files", async () => {
      const none = await exportYoloDataset(analyzer, [clips[0]], join(tmp, "nogiraffe"), {
        videoDir,
        classes: ["giraffe"],
      });
      assert.equal(none.items.length, 0);
      assert.deepEqual(none.clips, [{ clip: clips[0], split: "train", frames: 3, images: 0 }]);
      const bg = await exportYoloDataset(analyzer, [clips[0]], join(tmp, "background"), {
        videoDir,
        classes: ["giraffe"],
        background: true,
      });
      assert.equal(bg.items.length, 3);
      for (const item of bg.items) assert.equal(await Deno.readTextFile(item.label), "");
    });

    await t.step("lowConfidence filter: exactly the frames with a person scoring in the band", async () => {
      const band = await exportYoloDataset(analyzer, clips, join(tmp, "band"), {
        videoDir,
        classes: ["person"],
        filter: lowConfidence({ min: 0.25, max: 0.5 }),
      });
      const expected = clips.flatMap((clip) =>
        analysed.get(clip)!
          .filter((f) => f.persons.some((d) => d.score >= 0.25 && d.score < 0.5))
          .map((f) => datasetItemName(clip, f.time))
      );
      assert.ok(expected.length > 0);
      assert.deepEqual(band.items.map((i) => i.name), expected);
      // The whole frame is labelled, confident boxes included.
      const all = new Map(summary.items.map((i) => [i.name, i.detections.length]));
      for (const item of band.items) assert.equal(item.detections.length, all.get(item.name));
    });

    await t.step("bad options are refused before anything is written", async () => {
      const target = join(tmp, "never");
      await assert.rejects(
        () => exportYoloDataset(analyzer, clips, target, { classes: ["unicorn"] }),
        RangeError,
      );
      await assert.rejects(() => exportYoloDataset(analyzer, clips, target, { valFraction: 2 }), RangeError);
      await assert.rejects(() => exportYoloDataset(analyzer, clips, target, { quality: 0 }), RangeError);
      await assert.rejects(() => exportYoloDataset(analyzer, clips, target, { sampleFps: 0 }), RangeError);
      await assert.rejects(() => exportYoloDataset(analyzer, clips, target, { maxFrames: 0 }), RangeError);
      await assert.rejects(() => Deno.stat(target), Deno.errors.NotFound);
    });
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

import assert from "node:assert/strict";
import pl from "nodejs-polars";
import sharp from "sharp";
import { makeSceneVideo, SCENES } from "../../tools/ground_truth.ts";
import { analyzeFile } from "../../lib/yolo/file_analysis.ts";
import { YoloAnalyzer } from "../../lib/yolo/yolo_analyzer.ts";

Deno.test("evidence: a snapshot per confirmed object with its box, and a CSV polars reads", async () => {
  const dir = await Deno.makeTempDir({ prefix: "camwatch-evidence-" });
  try {
    const scene = SCENES.find((s) => s.name === "standing")!;
    const video = `${dir}/standing.mp4`;
    await makeSceneVideo(scene, video);
    const out = `${dir}/out`;
    await Deno.mkdir(out);
    await using analyzer = await YoloAnalyzer.create();
    const r = await analyzeFile(analyzer, video, { evidenceDir: out });
    assert.ok(r.ok && r.kind === "video");
    assert.equal(r.tracks.length, 2);
    const snapshots = r.tracks.map((t) => `${out}/standing.person-${t.id}.jpg`);
    // the CSV first, then the snapshots in the order of their frames
    assert.equal(r.evidence?.[0], `${out}/standing.detections.csv`);
    assert.deepEqual(r.evidence?.slice(1).toSorted(), snapshots.toSorted());
    assert.deepEqual(
      (await Array.fromAsync(Deno.readDir(out))).map((e) => e.name).toSorted(),
      [
        "standing.detections.csv",
        ...r.tracks.map((t) => `standing.person-${t.id}.jpg`),
      ].toSorted(),
    );

    for (const [k, track] of r.tracks.entries()) {
      const { data, info } = await sharp(snapshots[k]).raw().toBuffer({ resolveWithObject: true });
      assert.deepEqual([info.width, info.height], [640, 360]);
      const px = (
        x: number,
        y: number,
      ) => [...data.subarray((y * info.width + x) * 3, (y * info.width + x) * 3 + 3)];
      const [x1, y1, x2, y2] = track.box.map(Math.round);
      const mid = Math.round((y1 + y2) / 2);
      // the box's left edge is drawn in red; its inside is the frame as it was
      const red = ([r, g, b]: number[]) => r - Math.max(g, b) > 80;
      const edge = [-2, -1, 0, 1, 2].map((dx) => px(x1 + dx, mid));
      assert.ok(edge.some(red), `edge pixels ${JSON.stringify(edge)}`);
      const inside = px(Math.round((x1 + x2) / 2), mid);
      assert.ok(!red(inside), `inside pixel ${inside}`);
      assert.ok(x2 > x1 && y2 > y1);
    }

    const df = pl.readCSV(`${out}/standing.detections.csv`);
    assert.deepEqual(df.columns, ["time", "track", "label", "score", "x1", "y1", "x2", "y2", "confirmed"]);
    assert.equal(df.getColumn("confirmed").dtype.toString(), "DataType(Bool)");
    assert.equal(df.getColumn("time").dtype.toString(), "DataType(Float64)");
    const confirmed = df.filter(pl.col("confirmed"));
    assert.deepEqual(
      [...new Set(confirmed.getColumn("track").toArray() as number[])].toSorted(),
      r.tracks.map((t) => t.id).toSorted(),
    );
    // every confirmed track's rows are its frames, and its best row is its snapshot's box
    for (const track of r.tracks) {
      const rows = confirmed.filter(pl.col("track").eq(track.id));
      assert.equal(rows.height, track.frames);
      const best = rows.filter(pl.col("time").eq(track.best_time)).toRecords()[0];
      assert.deepEqual([best.x1, best.y1, best.x2, best.y2], track.box);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("evidence into a missing folder fails with the folder's error, before any snapshot", async () => {
  const dir = await Deno.makeTempDir({ prefix: "camwatch-evidence-" });
  try {
    const video = `${dir}/walk.mp4`;
    await makeSceneVideo(SCENES[0], video);
    await using analyzer = await YoloAnalyzer.create();
    await assert.rejects(
      () => analyzeFile(analyzer, video, { evidenceDir: `${dir}/nope` }),
      Deno.errors.NotFound,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/**
 * `deno task analyze` as a user runs it (`deno task analyze ...`, with the task's permissions): a
 * real subprocess, real model, real files.
 */
import assert from "node:assert/strict";
import { decodeOutput, denoTask } from "../helpers/deno_task.ts";
import { repoPath } from "../helpers/media.ts";
import { makeSceneVideo, SCENES } from "../../tools/ground_truth.ts";

async function analyze(args: string[], env: Record<string, string> = {}) {
  return decodeOutput(await denoTask("analyze", args, { env }).output());
}

/** A stack trace line, which a user should never get instead of a message. */
const STACK = /^\s+at /m;

Deno.test("--json: one object per file, failures as ok:false, exit 1 when any failed", async () => {
  const dir = await Deno.makeTempDir({ prefix: "camwatch-cli-" });
  try {
    const text = `${dir}/notes.mp4`;
    await Deno.writeTextFile(text, "hello\n".repeat(50));
    const r = await analyze(["--json", "tests/fixtures/bus.jpg", `${dir}/missing.mp4`, text]);
    assert.equal(r.code, 1, r.stderr);
    const lines = r.stdout.trim().split("\n").map((l) => JSON.parse(l));
    assert.equal(lines.length, 3);
    assert.equal(lines[0].ok, true);
    assert.equal(lines[0].kind, "image");
    assert.deepEqual(lines[0].detected, ["person", "bus"]);
    assert.equal(lines[0].detections.length, 5);
    assert.deepEqual(lines[1], {
      ok: false,
      filename: `${dir}/missing.mp4`,
      error: `${dir}/missing.mp4: no such file`,
    });
    assert.equal(lines[2].ok, false);
    assert.match(lines[2].error, /notes\.mp4: not a readable video \(Invalid data found/);
    assert.doesNotMatch(r.stderr, STACK);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("human-readable output for an image and a video", async () => {
  const r = await analyze(["--sample-fps", "0.1", "tests/fixtures/zidane.jpg", "video/samples/vtest.mp4"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^tests\/fixtures\/zidane\.jpg +\(1280x720, \d+ objects, \d+ ms\)$/m);
  assert.match(r.stdout, /^ +tie +0\.\d\d +\[\d+, \d+, \d+, \d+\]$/m);
  assert.match(r.stdout, /^video\/samples\/vtest\.mp4 +\(8 frames analysed at 0\.1 fps, 79\.5 s of video/m);
  // 10 s apart, walkers cannot be followed; the parked van can (a track waits two analysed frames).
  assert.match(r.stdout, /^ +truck +1 object, in 8 frames, up to 1 at once, best 0\.\d\d, 0\.0–70\.0 s$/m);
  assert.match(
    r.stdout,
    /^ {4}truck \d+ +0\.0–70\.0 s, 8 frames, median 0\.\d\d, best 0\.\d\d, stationary$/m,
  );
  assert.match(r.stdout, /^ +rejected \(too weak or too brief\): \d+ person/m);
});

Deno.test("bad settings and models stop with a message naming them, not a stack trace", async () => {
  const conf = await analyze(["tests/fixtures/bus.jpg"], { YOLO_CONF: "high" });
  assert.equal(conf.code, 2);
  assert.match(conf.stderr, /analyze: YOLO_CONF must be a number between 0 and 1, got "high"/);

  const fps = await analyze(["--sample-fps", "fast", "tests/fixtures/bus.jpg"]);
  assert.equal(fps.code, 2);
  assert.match(fps.stderr, /--sample-fps must be a positive number/);

  const missing = await analyze(["--model", "models/nope.onnx", "tests/fixtures/bus.jpg"]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /analyze: model file not found: models\/nope\.onnx/);

  const notModel = await analyze(["--model", "deno.json", "tests/fixtures/bus.jpg"]);
  assert.equal(notModel.code, 1);
  assert.match(notModel.stderr, /analyze: deno\.json is not an ONNX model/);

  const none = await analyze([]);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /no input files/);

  for (const r of [conf, fps, missing, notModel, none]) assert.doesNotMatch(r.stderr, STACK);
});

Deno.test("a progress line on stderr when it is a terminal, and none otherwise", async () => {
  const args = ["--sample-fps", "0.5", "video/samples/vtest.mp4"];
  const piped = await analyze(args);
  assert.equal(piped.code, 0, piped.stderr);
  assert.doesNotMatch(piped.stderr, /% ?\)/);

  // `script` gives the command a pseudo-terminal; its output is what the terminal would show.
  const command = [Deno.execPath(), "task", "--quiet", "analyze", ...args].join(" ");
  const out = await new Deno.Command("script", {
    args: ["-qefc", command, "/dev/null"],
    cwd: repoPath(""),
    stdin: "null",
    env: { NO_COLOR: "1" },
  }).output();
  const screen = new TextDecoder().decode(out.stdout);
  assert.equal(out.code, 0, screen);
  assert.match(screen, /video\/samples\/vtest\.mp4: \d+\.\d of 79\.5 s \(\d+%\)/);
  // deno-lint-ignore no-control-regex
  assert.match(screen, /\r\x1b\[2K/); // the line is rewritten in place, then cleared
  assert.match(screen, /person +\d+ objects?, in \d+ frames/);
});

Deno.test("--json on the ground-truth videos: the right number of objects per class, nothing glimpsed", async () => {
  const dir = await Deno.makeTempDir({ prefix: "camwatch-cli-truth-" });
  try {
    const files = [];
    for (const scene of SCENES) {
      files.push(`${dir}/${scene.name}.mp4`);
      await makeSceneVideo(scene, files.at(-1)!);
    }
    const r = await analyze(["--json", ...files]);
    assert.equal(r.code, 0, r.stderr);
    const results = r.stdout.trim().split("\n").map((l) => JSON.parse(l));
    assert.equal(results.length, SCENES.length);
    for (const [k, scene] of SCENES.entries()) {
      const result = results[k];
      assert.equal(result.filename, files[k]);
      const counts = Object.fromEntries(
        Object.entries(result.objects as Record<string, { count: number }>).map((
          [label, s],
        ) => [label, s.count]),
      );
      assert.deepEqual(counts, scene.truth.counts, `${scene.name}: ${JSON.stringify(result.tracks)}`);
      assert.deepEqual(result.detected, Object.keys(scene.truth.counts));
      assert.equal(result.count, result.detected.length);
      assert.equal(
        result.tracks.filter((t: { stationary: boolean }) => t.stationary).length,
        scene.truth.stationary,
      );
      for (const t of result.tracks) {
        assert.deepEqual(Object.keys(t), [
          "id",
          "label",
          "first",
          "last",
          "frames",
          "score",
          "best",
          "best_time",
          "stationary",
          "zones",
          "box",
          "path",
        ]);
      }
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("--evidence DIR writes a CSV and a snapshot per object, and lists them; a missing folder is refused", async () => {
  const dir = await Deno.makeTempDir({ prefix: "camwatch-cli-evidence-" });
  try {
    const video = `${dir}/crossing.mp4`;
    await makeSceneVideo(SCENES.find((s) => s.name === "crossing")!, video);
    await Deno.mkdir(`${dir}/evidence`);
    const r = await analyze(["--evidence", `${dir}/evidence`, video]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^ +person +2 objects, in 12 frames, up to 2 at once/m);
    const written = (await Array.fromAsync(Deno.readDir(`${dir}/evidence`))).map((e) => e.name).toSorted();
    assert.equal(written.length, 3, written.join(", "));
    assert.equal(written[0], "crossing.detections.csv");
    for (const name of written) {
      assert.match(r.stdout, new RegExp(`^  evidence: .*/evidence/${name.replace(".", "\\.")}$`, "m"));
    }
    for (const name of written.slice(1)) {
      assert.match(name, /^crossing\.person-\d+\.jpg$/);
      const bytes = await Deno.readFile(`${dir}/evidence/${name}`);
      assert.deepEqual([...bytes.subarray(0, 3)], [0xff, 0xd8, 0xff]);
    }

    const missing = await analyze(["--evidence", `${dir}/nope`, video]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /analyze: --evidence .*\/nope: not a folder/);
    assert.doesNotMatch(missing.stderr, STACK);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

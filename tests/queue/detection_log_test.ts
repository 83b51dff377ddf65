/**
 * DetectionLog: idempotent appends, several writer processes at once, typed reading and
 * following; and the task schema with its path checks.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { DetectionLog, type LogLine } from "../../lib/queue/detection_log.ts";
import { repoPath } from "../helpers/media.ts";

const dir = await Deno.makeTempDir({ prefix: "camwatch-log-" });

function line(id: string, overrides: Partial<LogLine> = {}): LogLine {
  return {
    ok: true,
    filename: `front/${id}.mp4`,
    detected: ["person", "car"],
    count: 2,
    timestamp: "2026-02-23T13:50:00.000Z",
    id,
    camera: "front",
    clip_start: "2026-02-23T14:46:57.000+01:00",
    clip_end: "2026-02-23T14:47:32.000+01:00",
    frames: 60,
    objects: {
      person: { frames: 50, max: 3, best: 0.91, first: 0.5, last: 29 },
      car: { frames: 10, max: 1, best: 0.6, first: 3, last: 8 },
    },
    model: "yolov8n_int8.onnx",
    elapsed_ms: 5400,
    worker: "host:1",
    ...overrides,
  };
}

Deno.test("append is idempotent by id, also across DetectionLog objects", async () => {
  const path = join(dir, "idempotent.jsonl");
  const a = new DetectionLog(path);
  const b = new DetectionLog(path);
  assert.equal(await a.append(line("x-1")), true);
  assert.equal(await a.append(line("x-1")), false);
  assert.equal(
    await b.append(line("x-1", { ok: false, error: "again" })),
    false,
    "another writer sees it too",
  );
  assert.equal(await b.append(line("x-2")), true);
  assert.equal(await a.has("x-2"), true);
  assert.equal(await a.has("x-3"), false);
  const lines = [];
  for await (const l of a.read()) lines.push(l);
  assert.deepEqual(lines.map((l) => l.id), ["x-1", "x-2"]);
  assert.deepEqual(lines[0], line("x-1"));
});

Deno.test("four processes appending at once: every id exactly once, no torn lines", async () => {
  const path = join(dir, "concurrent.jsonl");
  const writer = repoPath("tests/helpers/log_writer.ts");
  // Overlapping ranges, so that most ids are offered twice or more, all starting together.
  const ranges = [[0, 200], [100, 300], [200, 400], [0, 400]];
  const startAt = String(Date.now() + 2000);
  const outs = await Promise.all(ranges.map(([from, to], i) =>
    new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-read",
        "--allow-write",
        "--allow-ffi",
        "--allow-env",
        "--allow-sys",
        writer,
        path,
        String(from),
        String(to),
        `w${i}`,
        startAt,
      ],
      stdout: "piped",
      stderr: "piped",
    }).output()
  ));
  for (const out of outs) assert.ok(out.success, new TextDecoder().decode(out.stderr));
  const written = outs.map((o) => Number(new TextDecoder().decode(o.stdout)));
  assert.equal(written.reduce((a, b) => a + b, 0), 400, `lines written per process: ${written}`);
  assert.ok(written.filter((n) => n > 0).length >= 3, `several writers took part: ${written}`);
  const text = await Deno.readTextFile(path);
  const rows = text.trimEnd().split("\n");
  assert.equal(rows.length, 400);
  const ids = rows.map((r) => JSON.parse(r).id); // throws on a torn line
  assert.equal(new Set(ids).size, 400);
});

Deno.test("tail and follow", async () => {
  const path = join(dir, "frames.jsonl");
  const log = new DetectionLog(path);
  await log.append(line("a"));
  await log.append(
    line("b", { ok: false, detected: [], count: 0, objects: {}, error: "front/b.mp4: no such file" }),
  );
  await Deno.writeTextFile(path, "{ not json\n", { append: true }); // a hand-edited line is skipped
  await log.append(
    line("c", {
      camera: "yard",
      detected: ["cat"],
      count: 1,
      objects: { cat: { frames: 4, max: 1, best: 0.7, first: 2, last: 3 } },
    }),
  );
  assert.deepEqual((await log.tail(2)).map((l) => l.id), ["b", "c"]);

  const controller = new AbortController();
  const seen: string[] = [];
  const following = (async () => {
    for await (const l of log.follow({ signal: controller.signal, intervalMs: 50 })) {
      seen.push(l.id);
      if (l.id === "d") controller.abort();
    }
  })();
  await log.append(line("d"));
  await following;
  assert.deepEqual(seen, ["a", "b", "c", "d"]);
});

globalThis.addEventListener("unload", () => Deno.removeSync(dir, { recursive: true }));

Deno.test("a line's tracks are bounded: the first logTracks tracks, paths of logPathPoints points, zones cut; older lines without tracks still read", async () => {
  const path = join(dir, "tracks.jsonl");
  const log = new DetectionLog(path);
  const track = (id: number) => ({
    id,
    label: "person",
    first: 0,
    last: 19,
    frames: 20,
    score: 0.8,
    best: 0.9,
    best_time: 3,
    stationary: false,
    zones: Array.from({ length: 20 }, (_, i) => `z${i}`),
    box: [1, 2, 3, 4] as [number, number, number, number],
    path: Array.from({ length: 20 }, (_, i) => [i, i / 20, 0.5] as [number, number, number]),
  });
  await log.append(
    line("many", { tracks: Array.from({ length: 150 }, (_, i) => track(i + 1)), rejected: {} }),
  );
  await log.append(line("old")); // written before tracking: no tracks, no rejected
  const [many, old] = await Array.fromAsync(log.read());
  assert.equal(many.tracks?.length, 100);
  assert.equal(many.tracks_omitted, 50);
  assert.deepEqual(many.tracks?.map((t) => t.id).slice(0, 3), [1, 2, 3]);
  const p = many.tracks![0].path;
  assert.equal(p.length, 8);
  assert.deepEqual([p[0][0], p[7][0]], [0, 19], "first and last points kept");
  assert.equal(many.tracks![0].zones.length, 16);
  assert.equal(old.tracks, undefined);
  assert.equal(old.tracks_omitted, undefined);
  assert.ok((await Deno.readTextFile(path)).split("\n")[0].length < 100 * 600, "bounded");
});

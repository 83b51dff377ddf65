/**
 * The detection log as a folder of day files: four processes writing both sides of midnight at once,
 * a torn tail in one day's file, a range that spans days (only its files opened), ids kept for a few
 * files only, month files, and the single-file mode.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { DetectionLog, type LogLine } from "../../lib/queue/detection_log.ts";
import { partitionKey, startOfId } from "../../lib/queue/log_partitions.ts";
import { line } from "../helpers/log_lines.ts";
import { repoPath } from "../helpers/media.ts";

const dir = await Deno.makeTempDir({ prefix: "camwatch-partitions-" });
const decoder = new TextDecoder();

async function rows(path: string): Promise<{ id: string; ok: boolean }[]> {
  const text = await Deno.readTextFile(path);
  assert.ok(text === "" || text.endsWith("\n"), `${path} ends with a whole line`);
  return text.split("\n").filter(Boolean).map((r) => JSON.parse(r)); // throws on a torn line
}

Deno.test("four processes appending both sides of midnight at once: two day files, every id once in its own", async () => {
  const folder = join(dir, "concurrent.d");
  const ranges = [[0, 200], [100, 300], [200, 400], [0, 400]];
  const startAt = String(Date.now() + 2000);
  const outs = await Promise.all(ranges.map(([from, to], i) =>
    new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-read",
        "--allow-write",
        "--allow-env",
        "--allow-sys",
        repoPath("tests/helpers/log_writer.ts"),
        folder,
        String(from),
        String(to),
        `w${i}`,
        startAt,
        "midnight",
      ],
      stdout: "piped",
      stderr: "piped",
    }).output()
  ));
  for (const out of outs) assert.ok(out.success, decoder.decode(out.stderr));
  const written = outs.map((o) => Number(decoder.decode(o.stdout)));
  assert.equal(written.reduce((a, b) => a + b, 0), 400, `lines written per process: ${written}`);
  assert.ok(written.filter((n) => n > 0).length >= 3, `several writers took part: ${written}`);
  const names = [...Deno.readDirSync(folder)].map((e) => e.name).sort();
  assert.deepEqual(names, ["2026-02-23.jsonl", "2026-02-24.jsonl"]);
  const before = await rows(join(folder, "2026-02-23.jsonl"));
  const after = await rows(join(folder, "2026-02-24.jsonl"));
  const ids = (r: { id: string }[]) => r.map((l) => Number(l.id.slice(5))).sort((a, b) => a - b);
  assert.deepEqual(ids(before), Array.from({ length: 200 }, (_, i) => 2 * i), "even ids before midnight");
  assert.deepEqual(ids(after), Array.from({ length: 200 }, (_, i) => 2 * i + 1), "odd ids after");
  const log = new DetectionLog(folder);
  assert.equal((await Array.fromAsync(log.read())).length, 400);
  assert.equal(await log.has("clip-398", "any", "2026-02-23T23:59:59.500Z"), true);
  assert.equal(await log.has("clip-398", "any", "2026-02-24T00:00:00.500Z"), false, "not in the other day");
  console.log(
    `across midnight: ${written.join(" + ")} lines by 4 writers, ${before.length} + ${after.length}`,
  );
});

Deno.test("a torn tail in one day's file: readers skip it, the next append to that day cuts it off", async () => {
  const folder = join(dir, "torn.d");
  const log = new DetectionLog(folder);
  const a = line("front", "2026-03-01T10:00:00.000+01:00");
  const b = line("front", "2026-03-02T10:00:00.000+01:00");
  assert.equal(await log.append(a), true);
  assert.equal(await log.append(b), true);
  const c = line("front", "2026-03-01T11:00:00.000+01:00");
  const day1 = join(folder, "2026-03-01.jsonl");
  await Deno.writeTextFile(day1, JSON.stringify(c).slice(0, 50), { append: true }); // a writer killed mid-line
  assert.deepEqual((await Array.fromAsync(log.read())).map((l) => l.id), [a.id, b.id]);
  assert.equal(await new DetectionLog(folder).has(c.id), false);
  assert.equal(await new DetectionLog(folder).append(c), true, "the task delivered again");
  assert.deepEqual((await rows(day1)).map((r) => r.id), [a.id, c.id]);
  assert.deepEqual((await rows(join(folder, "2026-03-02.jsonl"))).map((r) => r.id), [b.id]);
  assert.equal(await log.append(c), false, "once only");
});

Deno.test("a range spanning days reads those days' files only, and the lines in it", async () => {
  const folder = join(dir, "range.d");
  const log = new DetectionLog(folder);
  const starts = [
    "2026-04-01T23:30:00.000+02:00", // 21:30 UTC on the 1st
    "2026-04-02T01:30:00.000+02:00", // 23:30 UTC on the 1st
    "2026-04-02T12:00:00.000Z",
    "2026-04-03T00:10:00.000Z",
    "2026-04-05T08:00:00.000Z",
  ];
  for (const start of starts) await log.append(line("yard", start));
  await log.append({
    ...line("yard", "2026-04-05T09:00:00.000Z"),
    id: "hand-written",
    clip_start: "not a time",
  });
  // Any read of 2026-03-31 would fail: that file is a folder.
  await Deno.mkdir(join(folder, "2026-03-31.jsonl.real"));
  await Deno.symlink(join(folder, "2026-03-31.jsonl.real"), join(folder, "2026-03-31.jsonl"));
  const range = { from: Date.parse("2026-04-01T23:00:00.000Z"), to: Date.parse("2026-04-03T00:00:00.000Z") };
  assert.deepEqual(
    (await log.files(range)).map((f) => f.slice(folder.length + 1)),
    ["2026-04-01.jsonl", "2026-04-02.jsonl"],
  );
  assert.deepEqual((await Array.fromAsync(log.read(range))).map((l) => l.clip_start), starts.slice(1, 3));
  const wide = { from: Date.parse("2026-04-01T00:00:00.000Z"), to: Date.parse("2026-04-06T00:00:00.000Z") };
  assert.deepEqual((await Array.fromAsync(log.read(wide))).map((l) => l.clip_start), starts);
  await assert.rejects(() => Array.fromAsync(log.read()), "the whole log opens 2026-03-31 too");
  await Deno.remove(join(folder, "2026-03-31.jsonl"));
  const all = await Array.fromAsync(log.read());
  assert.deepEqual(
    all.map((l) => l.id).at(-1),
    "hand-written",
    "undated lines come last, in open ranges only",
  );
  assert.deepEqual((await log.tail(2)).map((l) => l.clip_start), starts.slice(3));
});

Deno.test("a writer keeps the ids of a few files only, and still finds an older day's ids on disk", async () => {
  const folder = join(dir, "bounded.d");
  const log = new DetectionLog(folder, { indexedPartitions: 2 });
  const days = Array.from(
    { length: 10 },
    (_, d) => `2026-05-${String(d + 1).padStart(2, "0")}T12:00:00.000Z`,
  );
  for (const start of days) assert.equal(await log.append(line("front", start)), true);
  for (const start of days) {
    const { id } = line("front", start);
    assert.equal(startOfId(id), start);
    assert.equal(await log.has(id, "ok"), true, `${id} found`);
    assert.equal(await log.append(line("front", start)), false, `${id} not written twice`);
    assert.equal(
      await log.append(line("front", start, { ok: false, error: "late dead letter" })),
      false,
    );
  }
  for (const start of days) {
    assert.equal((await rows(join(folder, `${partitionKey(start, "day")}.jsonl`))).length, 1);
  }
});

Deno.test("month files, and the single-file mode (a .jsonl path): one file, ranges filtered, same guarantees", async () => {
  const months = new DetectionLog(join(dir, "months.d"), { partition: "month" });
  await months.append(line("front", "2026-06-30T23:00:00.000Z"));
  await months.append(line("front", "2026-07-01T01:00:00.000Z"));
  assert.deepEqual([...Deno.readDirSync(months.path)].map((e) => e.name).sort(), [
    "2026-06.jsonl",
    "2026-07.jsonl",
  ]);
  assert.equal((await Array.fromAsync(months.read({ from: Date.parse("2026-07-01T00:00:00Z") }))).length, 1);

  const path = join(dir, "detections_log.jsonl");
  const single = new DetectionLog(path);
  assert.equal(single.partition, undefined);
  const lines: LogLine[] = [
    line("front", "2026-06-30T23:00:00.000Z"),
    line("front", "2026-07-01T01:00:00.000Z"),
    line("front", "2026-07-02T01:00:00.000Z"),
  ];
  for (const l of lines) assert.equal(await single.append(l), true);
  assert.equal(await single.append(lines[0]), false);
  await Deno.writeTextFile(path, JSON.stringify(lines[0]).slice(0, 30), { append: true });
  assert.equal(await new DetectionLog(path).append(line("yard", "2026-07-03T00:00:00.000Z")), true);
  assert.deepEqual((await rows(path)).length, 4, "torn tail cut off, one file");
  const range = { from: Date.parse("2026-07-01T00:00:00Z"), to: Date.parse("2026-07-03T00:00:00Z") };
  assert.deepEqual((await Array.fromAsync(single.read(range))).map((l) => l.id), [lines[1].id, lines[2].id]);
  assert.equal(await single.has(lines[2].id, "ok"), true);
  assert.deepEqual(await single.files(), [path]);
});

Deno.test("a prototype's single file moved into day files with appendAll: every id once, the real result kept, twice is a no-op", async () => {
  const single = new DetectionLog(join(dir, "old.jsonl"));
  const starts = ["2026-08-01T10:00:00.000Z", "2026-08-01T23:59:00.000Z", "2026-08-02T00:01:00.000Z"];
  for (const start of starts) await single.append(line("front", start));
  await single.append(line("yard", starts[0], { ok: false, error: "gave up" }));
  await single.append(line("yard", starts[0])); // the real result after the dead letter's line
  const folder = new DetectionLog(join(dir, "moved.d"));
  assert.equal(await folder.append(line("front", starts[2])), true, "one of them is there already");
  const raw = (await Deno.readTextFile(single.path)).split("\n").filter(Boolean).map((r) => JSON.parse(r));
  assert.equal(await folder.appendAll(raw), 4, "5 lines read, one already in the folder");
  assert.equal(await folder.appendAll(single.read()), 0, "moving again writes nothing");
  assert.deepEqual((await rows(join(folder.path, "2026-08-01.jsonl"))).map((r) => [r.id.slice(0, 4), r.ok]), [
    ["fron", true],
    ["fron", true],
    ["yard", false],
    ["yard", true],
  ]);
  assert.equal((await rows(join(folder.path, "2026-08-02.jsonl"))).length, 1);
  const chosen = async (log: DetectionLog) =>
    (await Array.fromAsync(log.read())).map((l) => `${l.id} ${l.ok}`).sort();
  assert.deepEqual(await chosen(folder), await chosen(single), "readers see the same lines");
});

globalThis.addEventListener("unload", () => Deno.removeSync(dir, { recursive: true }));

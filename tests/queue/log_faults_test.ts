/**
 * DetectionLog under faults: a writer killed mid-line by the file-size limit (SIGXFSZ), a real
 * write error part-way through a line (EFBIG), a dead letter's line followed by the real
 * result, and fields far too long for a line.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { DetectionLog, type LogLine, LogWriteError } from "../../lib/queue/detection_log.ts";
import { QUEUE_DEFAULTS } from "../../lib/queue/queue_defaults.ts";
import { repoPath } from "../helpers/media.ts";

const dir = await Deno.makeTempDir({ prefix: "camwatch-log-faults-" });
const decoder = new TextDecoder();

/** Runs tests/helpers/log_writer.ts for ids `clip-<from>` … `clip-<to - 1>`, under `sh -c <prefix>`. */
function writer(path: string, from: number, to: number, name: string, shell = "") {
  const deno = [
    Deno.execPath(),
    "run",
    "--no-code-cache", // the limit is on every file the process writes: keep Deno's own caches out of it
    "--allow-read",
    "--allow-write",
    "--allow-env",
    "--allow-sys",
    repoPath("tests/helpers/log_writer.ts"),
    path,
    String(from),
    String(to),
    name,
    "0",
  ];
  return new Deno.Command("sh", {
    args: ["-c", `${shell} exec "$@"`, "sh", ...deno],
    stdout: "piped",
    stderr: "piped",
  }).output();
}

async function ids(path: string): Promise<string[]> {
  return (await Array.fromAsync(new DetectionLog(path).read())).map((l) => l.id);
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `clip-${from + i}`);

Deno.test("a writer killed mid-line (SIGXFSZ) leaves a torn tail: readers skip it, the next append cuts it off", async () => {
  const path = join(dir, "killed.jsonl");
  const first = await writer(path, 0, 3, "w0");
  assert.ok(first.success, decoder.decode(first.stderr));
  const whole = (await Deno.stat(path)).size;
  const lineBytes = whole / 3;
  // A file-size limit half-way through the 5th line: the kernel writes up to it, then kills.
  const blocks = Math.ceil((whole + 1.5 * lineBytes) / 512);
  const killed = await writer(path, 0, 10, "w1", `ulimit -f ${blocks};`);
  assert.equal(killed.success, false);
  assert.ok(killed.signal === "SIGXFSZ" || killed.code === 128 + 25, `killed by SIGXFSZ: ${killed.code}`);
  const bytes = await Deno.readFile(path);
  assert.equal(bytes.length, blocks * 512, "written up to the limit");
  assert.notEqual(bytes.at(-1), 0x0a, "the last line is torn");
  const newlines = bytes.filter((b) => b === 0x0a).length;
  assert.equal(newlines, 4, "clip-0 … clip-3 are whole");
  assert.deepEqual(await ids(path), range(0, 4), "readers skip the torn tail");
  assert.equal(await new DetectionLog(path).has("clip-4"), false);

  // The task is delivered again: the next writer repairs the tail, then appends whole lines.
  const again = await writer(path, 0, 10, "w2");
  assert.ok(again.success, decoder.decode(again.stderr));
  assert.equal(Number(decoder.decode(again.stdout)), 6, "clip-4 … clip-9 written");
  const rows = (await Deno.readTextFile(path)).split("\n");
  assert.equal(rows.pop(), "", "ends with a newline");
  assert.equal(rows.length, 10);
  assert.deepEqual(rows.map((r) => JSON.parse(r).id), range(0, 10), "every line parses, every id once");
  assert.deepEqual(await ids(path), range(0, 10));
  console.log(
    `torn tail: limit ${blocks * 512} bytes, ${bytes.length - bytes.lastIndexOf(0x0a) - 1} torn bytes, ` +
      `${newlines} whole lines; after the next writer: ${rows.length} lines, ${new Set(rows).size} ids`,
  );
});

Deno.test("a write that fails part-way (EFBIG, SIGXFSZ ignored) leaves nothing of the line and throws LogWriteError", async () => {
  const path = join(dir, "efbig.jsonl");
  const first = await writer(path, 0, 2, "w0");
  assert.ok(first.success, decoder.decode(first.stderr));
  const whole = (await Deno.stat(path)).size;
  const blocks = Math.ceil((whole + 1.5 * (whole / 2)) / 512);
  const failed = await writer(path, 0, 10, "w1", `trap '' XFSZ; ulimit -f ${blocks};`);
  assert.equal(failed.code, 3, decoder.decode(failed.stderr));
  assert.equal(Number(decoder.decode(failed.stdout)), 1, "clip-2 written, clip-3 failed");
  assert.match(
    decoder.decode(failed.stderr),
    /^LogWriteError: cannot write the line of clip-3 .*File too large/,
  );
  assert.match(decoder.decode(failed.stderr), /cause: Error: File too large \(os error 27\)/);
  const text = await Deno.readTextFile(path);
  assert.ok(text.endsWith("\n"), "the part of clip-3 that reached the disk was cut off");
  assert.ok(text.length < blocks * 512);
  assert.deepEqual(text.trimEnd().split("\n").map((r) => JSON.parse(r).id), range(0, 3));
  const again = await writer(path, 0, 10, "w2");
  assert.ok(again.success, decoder.decode(again.stderr));
  assert.deepEqual(await ids(path), range(0, 10));
  assert.equal((await Deno.readTextFile(path)).trimEnd().split("\n").length, 10);
});

Deno.test("a torn tail written in-process: has() and read() skip it; a whole line missing its newline is kept", async () => {
  const path = join(dir, "partial.jsonl");
  const log = new DetectionLog(path);
  await log.append(line("a"));
  const b = JSON.stringify(line("b"));
  await Deno.writeTextFile(path, b.slice(0, 40), { append: true });
  assert.deepEqual(await ids(path), ["a"]);
  assert.equal(await log.has("b"), false);
  assert.equal(await new DetectionLog(path).append(line("b")), true);
  assert.equal(await Deno.readTextFile(path), JSON.stringify(line("a")) + "\n" + b + "\n");
  // A line written whole but for its newline is a line: given its newline, not written twice.
  await Deno.writeTextFile(path, JSON.stringify(line("c")), { append: true });
  assert.equal(await new DetectionLog(path).append(line("c")), false);
  assert.equal(await new DetectionLog(path).append(line("d")), true);
  assert.deepEqual((await Deno.readTextFile(path)).trimEnd().split("\n").map((r) => JSON.parse(r).id), [
    "a",
    "b",
    "c",
    "d",
  ]);
});

Deno.test("ENOSPC on a real device (/dev/full): append throws LogWriteError with the cause, and works once there is space", async () => {
  const path = join(dir, "full.jsonl");
  await Deno.symlink("/dev/full", path);
  const log = new DetectionLog(path);
  const error = await log.append(line("a")).then(() => undefined, (e) => e);
  assert.ok(error instanceof LogWriteError, String(error));
  assert.match(error.message, /No space left on device/);
  assert.match(String((error.cause as Error).message), /os error 28/);
  await Deno.remove(path); // space again
  assert.equal(await log.append(line("a")), true);
  assert.deepEqual(await ids(path), ["a"]);
});

Deno.test("a real result wins over a dead letter's line for the same id, whichever object writes them", async () => {
  const path = join(dir, "supersede.jsonl");
  const dead = line("x", {
    ok: false,
    detected: [],
    count: 0,
    error: "gave up after 3 attempts",
    worker: "b",
  });
  const a = new DetectionLog(path);
  const b = new DetectionLog(path);
  const follower = new AbortController();
  const followed: LogLine[] = [];
  const following = (async () => {
    for await (const l of a.follow({ signal: follower.signal, intervalMs: 20 })) {
      followed.push(l);
      if (l.id === "y") follower.abort();
    }
  })();
  assert.equal(await b.append(dead), true, "the dead letter's line");
  assert.equal(await b.append({ ...dead, worker: "c" }), false, "a second ok:false line is not written");
  assert.equal(await a.has("x"), true);
  assert.equal(await a.has("x", "ok"), false);
  assert.equal(await a.append(line("x", { worker: "a" })), true, "the slow worker's real result");
  assert.equal(await b.append(line("x", { worker: "d" })), false, "only one real result");
  assert.equal(await b.append(dead), false, "nor an ok:false after it");
  assert.equal(await b.has("x", "ok"), true);
  await a.append(line("y"));
  const rows = (await Deno.readTextFile(path)).trimEnd().split("\n").map((r) => JSON.parse(r));
  assert.deepEqual(rows.map((r) => [r.id, r.ok, r.worker]), [["x", false, "b"], ["x", true, "a"], [
    "y",
    true,
    "host:1",
  ]]);
  const read = await Array.fromAsync(a.read());
  assert.deepEqual(read.map((r) => [r.id, r.ok, r.worker]), [["x", true, "a"], ["y", true, "host:1"]]);
  assert.deepEqual((await a.tail(5)).map((r) => r.worker), ["a", "host:1"]);
  await following;
  assert.deepEqual(followed.map((r) => [r.id, r.ok]), [["x", false], ["x", true], ["y", true]]);
});

Deno.test("log lines are bounded: a 10 MB filename and error are cut to logFieldChars with …", async () => {
  const path = join(dir, "bounded.jsonl");
  const huge = "front/" + "a".repeat(10 * 1024 * 1024);
  const log = new DetectionLog(path);
  assert.equal(
    await log.append(line("big", { ok: false, filename: huge, error: `task.path ${huge} leaves` })),
    true,
  );
  const size = (await Deno.stat(path)).size;
  assert.ok(size < 3 * QUEUE_DEFAULTS.logFieldChars + 1000, `the line is ${size} bytes`);
  const [got] = await Array.fromAsync(log.read());
  assert.equal(got.filename.length, QUEUE_DEFAULTS.logFieldChars);
  assert.ok(got.filename.endsWith("…") && got.filename.startsWith("front/aaa"));
  assert.equal(got.error?.length, QUEUE_DEFAULTS.logFieldChars);
  assert.equal(got.id, "big");
  const small = new DetectionLog(join(dir, "small.jsonl"), { maxFieldChars: 10 });
  await small.append(line("s", { filename: "front/0123456789.mp4" }));
  assert.equal((await Array.fromAsync(small.read()))[0].filename, "front/012…");
  console.log(`bounded line: 10 MB filename and error → ${size} bytes`);
});

function line(id: string, overrides: Partial<LogLine> = {}): LogLine {
  return {
    ok: true,
    filename: `front/${id}.mp4`,
    detected: ["person"],
    count: 1,
    timestamp: "2026-02-23T13:50:00.000Z",
    id,
    camera: "front",
    clip_start: "2026-02-23T14:46:57.000+01:00",
    clip_end: "2026-02-23T14:47:32.000+01:00",
    frames: 60,
    objects: { person: { frames: 50, max: 3, best: 0.91, first: 0.5, last: 29 } },
    model: "yolov8n_int8.onnx",
    elapsed_ms: 5400,
    worker: "host:1",
    ...overrides,
  };
}

globalThis.addEventListener("unload", () => Deno.removeSync(dir, { recursive: true }));

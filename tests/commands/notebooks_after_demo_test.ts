/**
 * `deno task demo` then at once `deno task notebooks run`, with the same VIDEO_DIR and REDIS_URL
 * and no worker running any more: every notebook runs and shows what it is tagged with, and the
 * queue notebook says what it found (no live worker heartbeat, or no Redis configured) and how
 * to start a worker instead of failing; it sends no test task.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { Redis } from "ioredis";
import { DetectionLog } from "../../lib/queue/detection_log.ts";
import { joinSource, missingOutputs, type Notebook } from "../../tools/notebook_run.ts";
import { startRedis } from "../helpers/redis_server.ts";

const decoder = new TextDecoder();
const NOTEBOOKS = [
  "01_check",
  "02_camera",
  "03_queue",
  "04_results",
  "05_clip",
  "06_dataset",
  "07_objects",
];
/** Settings of the caller's environment that would point the demo or the notebooks elsewhere. */
const UNSET = [
  "REDIS_URL",
  "RDS_HOST",
  "RDS_PORT",
  "RDS_PSW",
  "RDSQ_OUTMSG",
  "DETECTION_LOG",
  "RTSP_URL",
  "CLIP",
];

/** `deno task --quiet <args>` with exactly this environment (the caller's, less UNSET, plus `env`). */
async function task(args: string[], env: Record<string, string>): Promise<Deno.CommandOutput> {
  const inherited = Object.fromEntries(
    Object.entries(Deno.env.toObject()).filter(([k]) => !UNSET.includes(k)),
  );
  return await new Deno.Command(Deno.execPath(), {
    args: ["task", "--quiet", ...args],
    env: { ...inherited, ...env },
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
}

/** Every text a notebook's cells showed (printed lines and the plain-text side of displays). */
function texts(notebook: Notebook): string {
  return notebook.cells.flatMap((c) => c.outputs ?? []).map((o) =>
    joinSource(o.text ?? o.data?.["text/plain"])
  )
    .join("\n");
}

/** The demo, then the notebooks on what it left; returns the executed notebooks by name. */
async function demoThenNotebooks(
  dir: string,
  redisUrl: string | undefined,
): Promise<Record<string, Notebook>> {
  const env: Record<string, string> = {
    VIDEO_DIR: join(dir, "video"),
    SAMPLE_FPS: "1",
    METRICS_PORT: "off",
    LOG_LEVEL: "warn",
    ...(redisUrl ? { REDIS_URL: redisUrl } : {}),
  };
  const demo = await task(["demo"], { ...env, DEMO_CLIPS: "2", CLIP_SECONDS: "3", PREROLL_SECONDS: "1" });
  assert.equal(demo.code, 0, decoder.decode(demo.stderr));
  const out = join(dir, "runs");
  const run = await task(["notebooks", "run", "--out", out], env);
  const stdout = decoder.decode(run.stdout);
  assert.equal(run.code, 0, `${stdout}\n${decoder.decode(run.stderr)}`);
  const executed: Record<string, Notebook> = {};
  for (const name of NOTEBOOKS) {
    assert.match(stdout, new RegExp(`✔ ${name}\\.ipynb`));
    executed[name] = JSON.parse(await Deno.readTextFile(join(out, `${name}.ipynb`)));
    assert.deepEqual(missingOutputs(executed[name]), [], name);
  }
  // The demo's clips were analysed, and no test task was answered (none was sent).
  const lines = await Array.fromAsync(new DetectionLog(join(env.VIDEO_DIR, "detections.d")).read());
  assert.ok(lines.filter((l) => l.camera === "demo").length >= 2, `${lines.length} lines`);
  assert.deepEqual(lines.filter((l) => l.camera === "test"), []);
  // The objects notebook counts the demo's tracked objects and shows their snapshots.
  assert.match(texts(executed["07_objects"]), /[1-9]\d* objects in [1-9]\d* analysed clips/);
  assert.match(texts(executed["07_objects"]), /[1-9]\d* snapshots shown/);
  return executed;
}

Deno.test("after the demo on a real Redis, with no worker left: the notebooks run, and the queue one says no worker is alive and how to start one", async () => {
  await using redis = await startRedis();
  const dir = await Deno.makeTempDir({ prefix: "camwatch-after-demo-" });
  try {
    const executed = await demoThenNotebooks(dir, redis.url);
    const queue = texts(executed["03_queue"]);
    assert.match(
      queue,
      /Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+ answers, but there is no live worker heartbeat/,
    );
    assert.match(
      queue,
      /`deno task worker` with the same REDIS_URL \(redis:\/\/:\*\*\*@127\.0\.0\.1:\d+\) and VIDEO_DIR/,
    );
    assert.match(queue, /`deno task demo`/);
    assert.match(queue, /test task not sent: .*no live worker heartbeat/);
    assert.match(queue, /video_queue: [1-9]\d* entries, .* 0 live workers/, "the demo's tasks are counted");
    const html = executed["03_queue"].cells.flatMap((c) => c.outputs ?? []).map((o) =>
      joinSource(o.data?.["text/html"])
    ).join("");
    assert.match(html, /Queue: no live worker/);
    assert.match(html, /Test task: not sent/);
    assert.match(texts(executed["01_check"]), /✘ worker: no live worker heartbeat.*deno task worker/);
    assert.doesNotMatch(JSON.stringify(executed), new RegExp(redis.password), "no password in any output");

    // Nothing for the camera `test` was queued.
    const raw = new Redis({ port: redis.port, password: redis.password });
    try {
      const entries = await raw.xrange("video_queue", "-", "+");
      assert.ok(entries.length >= 2);
      assert.deepEqual(entries.filter(([, fields]) => fields.join(" ").includes('"camera":"test"')), []);
    } finally {
      raw.disconnect();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("after the demo with no Redis configured (it used a private one): the notebooks run, and the queue one says there is no Redis and how to start a worker", async () => {
  const dir = await Deno.makeTempDir({ prefix: "camwatch-after-demo-" });
  try {
    const executed = await demoThenNotebooks(dir, undefined);
    const queue = texts(executed["03_queue"]);
    assert.match(queue, /^no Redis configured/m);
    assert.match(queue, /set REDIS_URL .*`deno task worker` with the same REDIS_URL and VIDEO_DIR/);
    assert.match(queue, /`deno task demo` \(it starts a private Redis/);
    assert.match(queue, /test task not sent: no Redis configured/);
    assert.match(texts(executed["01_check"]), /✘ Redis: no Redis configured/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

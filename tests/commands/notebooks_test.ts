/**
 * The notebooks, run headlessly with the Deno kernel (`deno task notebooks run`) against data
 * the real pipeline made: the demo (emulator → capture → Redis → worker) records clips, the real
 * worker analyses a day and a half of tasks for copies of them, and stays up for the queue
 * notebook's round trip. Every cell must run, and every chart, table and image a cell is
 * tagged with must be there; charts must render (librsvg, through sharp).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { Redis } from "ioredis";
import sharp from "sharp";
import { listClips } from "../../lib/capture/clip_files.ts";
import { DetectionLog } from "../../lib/queue/detection_log.ts";
import { freePort } from "../../tools/free_port.ts";
import { JupyterError, JupyterServer } from "../../tools/jupyter_server.ts";
import { joinSource, missingOutputs, type Notebook } from "../../tools/notebook_run.ts";
import { parseTask } from "../../lib/queue/clip_task.ts";
import { TaskProducer } from "../../lib/queue/task_producer.ts";
import { spawnTask } from "../helpers/deno_task.ts";
import { repoPath } from "../helpers/media.ts";
import { queueHistory } from "../helpers/notebook_data.ts";
import { startRedis } from "../helpers/redis_server.ts";
import { until } from "../helpers/until.ts";

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

function deno(args: string[], env: Record<string, string>): Deno.Command {
  return new Deno.Command(Deno.execPath(), { args, env, stdin: "null", stdout: "piped", stderr: "piped" });
}

Deno.test("the committed notebooks are numbered, use the Deno kernel, start with an intro and carry no outputs", async () => {
  const files = [...Deno.readDirSync(repoPath("notebooks"))].filter((e) => e.name.endsWith(".ipynb"))
    .map((e) => e.name.replace(/\.ipynb$/, "")).sort();
  assert.deepEqual(files, NOTEBOOKS);
  for (const name of files) {
    const nb = JSON.parse(await Deno.readTextFile(repoPath(`notebooks/${name}.ipynb`))) as Notebook;
    assert.equal((nb.metadata.kernelspec as { name: string }).name, "deno", name);
    assert.equal(nb.cells[0].cell_type, "markdown", `${name} starts with what it is for`);
    assert.match(joinSource(nb.cells[0].source), /^# \d · /);
    for (const cell of nb.cells) assert.deepEqual(cell.outputs ?? [], [], `${name}: no stored outputs`);
  }
});

Deno.test("every notebook runs headlessly on data from the real pipeline; charts, tables and images are there", async () => {
  await using redis = await startRedis();
  const dir = await Deno.makeTempDir({ prefix: "camwatch-notebooks-" });
  const videoDir = join(dir, "video");
  const env = {
    REDIS_URL: redis.url,
    VIDEO_DIR: videoDir,
    SAMPLE_FPS: "1",
    METRICS_PORT: "off",
    LOG_LEVEL: "warn",
  };
  let worker: Deno.ChildProcess | undefined;
  try {
    // The demo records and analyses two short clips with the real capture and worker.
    const demo = await deno(["task", "--quiet", "demo"], {
      ...env,
      DEMO_CLIPS: "2",
      CLIP_SECONDS: "3",
      PREROLL_SECONDS: "1",
    }).output();
    assert.equal(demo.code, 0, decoder.decode(demo.stderr));
    const recorded = (await listClips(videoDir, { camera: "demo" })).map((c) => c.path);
    assert.ok(recorded.length >= 2, JSON.stringify(recorded));

    // A worker that stays up: it analyses the history below and answers the queue notebook.
    worker = deno(["task", "--quiet", "worker"], { ...env, WORKER_NAME: "notebook-worker" }).spawn();
    await using queue = await TaskProducer.connect({ redis: redis.url, parse: parseTask });
    const tasks = await queueHistory(queue, videoDir, recorded, 12);
    const log = new DetectionLog(join(videoDir, "detections.d"));
    await until(
      async () => {
        const ids = new Set((await Array.fromAsync(log.read())).map((l) => l.id));
        return tasks.every((t) => ids.has(t.id));
      },
      180_000,
      "the worker's lines for the queued history",
    );
    const raw = new Redis({ port: redis.port, password: redis.password });
    await raw.xadd("video_queue", "*", "task", '{"v": 1, "id": "x"}'); // a dead letter to show
    raw.disconnect();

    const out = join(dir, "runs");
    const run = await deno(["task", "--quiet", "notebooks", "run", "--out", out], env).output();
    const stdout = decoder.decode(run.stdout);
    assert.equal(run.code, 0, `${stdout}\n${decoder.decode(run.stderr)}`);
    for (const name of NOTEBOOKS) assert.match(stdout, new RegExp(`✔ ${name}\\.ipynb`));

    const executed: Record<string, Notebook> = {};
    for (const name of NOTEBOOKS) {
      executed[name] = JSON.parse(await Deno.readTextFile(join(out, `${name}.ipynb`)));
      assert.deepEqual(missingOutputs(executed[name]), [], name);
      await Deno.stat(join(out, `${name}.html`));
    }
    const outputs = (name: string, mime: string) =>
      executed[name].cells.flatMap((c) => c.outputs ?? []).map((o) => o.data?.[mime]).filter((d) =>
        d !== undefined
      )
        .map(joinSource);
    const texts = (name: string) =>
      executed[name].cells.flatMap((c) => c.outputs ?? []).map((o) =>
        joinSource(o.text ?? o.data?.["text/plain"])
      )
        .join("\n");

    // Every chart renders (librsvg parses the SVG strictly) and has a title.
    let charts = 0;
    for (const name of NOTEBOOKS) {
      for (const svg of outputs(name, "image/svg+xml")) {
        charts++;
        const png = await sharp(new TextEncoder().encode(svg)).png().toBuffer();
        assert.ok((await sharp(png).metadata()).width! >= 600, name);
        assert.match(svg, /font-weight="bold">[^<]+<\/text>/, `${name}: a chart title`);
      }
    }
    assert.ok(charts >= 11, `${charts} charts`);

    assert.doesNotMatch(texts("01_check"), /✘/, "every check passes");
    assert.match(texts("01_check"), /80 classes/);
    assert.doesNotMatch(JSON.stringify(executed), new RegExp(redis.password), "no password in any output");
    assert.match(outputs("03_queue", "text/html").join(""), /Test task.*<td>true<\/td>/s, "the round trip");
    assert.match(outputs("03_queue", "text/html").join(""), /notebook-worker/, "the worker's heartbeat");
    assert.match(outputs("03_queue", "text/html").join(""), /task\.camera must be/, "the dead letter");
    assert.match(texts("04_results"), /0 clips with a cat today/);
    const failures = outputs("04_results", "text/html").find((h) => h.includes("Failures by message")) ?? "";
    assert.match(failures, /&lt;clip&gt;: not a readable video \(Invalid data/);
    // A missing clip is refused before ffprobe opens it (only regular files are analysed).
    assert.match(failures, /&lt;clip&gt;: no such file/);
    // Objects, not clips: counted from the log's tracks; the heatmap over a frame of the camera; the
    // snapshots the worker kept; the clip and the dataset from the stored boxes, no detector run.
    const objects = texts("07_objects");
    assert.match(objects, /[1-9]\d* objects in [1-9]\d* analysed clips/);
    assert.match(objects, /[1-9]\d* snapshots shown/);
    assert.ok(outputs("07_objects", "image/svg+xml").some((svg) => svg.includes("data:image/jpeg;base64,")));
    assert.match(texts("05_clip"), /boxes stored by the worker beside the clip \(no detector run\)/);
    assert.match(texts("06_dataset"), /[1-9]\d* images in .*people/);
    const data = await Deno.readTextFile(join(videoDir, "datasets", "people", "data.yaml"));
    assert.match(data, /names:\n {2}0: person\n/);
  } finally {
    if (worker) {
      worker.kill("SIGTERM");
      await worker.output();
    }
    await Deno.remove(dir, { recursive: true });
  }
});

/** The Deno kernel's spec and the notebooks, as Jupyter's API serves them to `token` (or to nobody). */
async function jupyterApi(port: number, token?: string) {
  const headers: HeadersInit = token ? { authorization: `token ${token}` } : {};
  const specs = await fetch(`http://127.0.0.1:${port}/api/kernelspecs`, { headers });
  const listing = await fetch(`http://127.0.0.1:${port}/api/contents`, { headers });
  const body = async (res: Response) => res.ok ? await res.json() : (await res.body?.cancel(), undefined);
  return {
    status: [specs.status, listing.status],
    kernels: Object.keys((await body(specs))?.kernelspecs ?? {}),
    files: ((await body(listing))?.content ?? []).map((e: { name: string }) => e.name) as string[],
  };
}

Deno.test("deno task notebooks: Jupyter on NOTEBOOK_PORT behind JUPYTER_TOKEN, with the Deno kernel; SIGTERM stops it", async () => {
  const port = freePort();
  const token = "task-token-0123456789abcdef";
  await using notebooks = spawnTask("notebooks", [], {
    env: { NOTEBOOK_PORT: String(port), JUPYTER_TOKEN: token },
  });
  const [, shown] = await notebooks.waitFor(/^notebooks: open (\S+)$/m, 120_000);
  assert.equal(shown, `http://127.0.0.1:${port}/?token=***`, "a token the user chose is never printed");
  const anonymous = await jupyterApi(port);
  assert.deepEqual(anonymous.status, [403, 403], "nothing without the token");
  const api = await jupyterApi(port, token);
  assert.deepEqual(api.status, [200, 200]);
  assert.ok(api.kernels.includes("deno"), api.kernels.join(", "));
  assert.ok(api.files.includes("04_results.ipynb"), api.files.join(", "));
  const out = await notebooks.stop("SIGTERM");
  assert.equal(out.code, 0, out.stderr);
  assert.doesNotMatch(out.stdout + out.stderr, new RegExp(token));
  await assert.rejects(fetch(`http://127.0.0.1:${port}/api/status`), TypeError, "Jupyter is gone");
});

Deno.test("deno task notebooks on a fresh account: registers the Deno kernel, makes a token and prints it once", async () => {
  const home = await Deno.makeTempDir({ prefix: "camwatch-notebooks-home-" });
  try {
    // Only what a login shell would have: no kernel registered under this HOME, no JUPYTER_TOKEN.
    const info = await new Deno.Command(Deno.execPath(), { args: ["info", "--json"], stdout: "piped" })
      .output();
    const env = {
      PATH: Deno.env.get("PATH") ?? "",
      HOME: home,
      DENO_DIR: JSON.parse(decoder.decode(info.stdout)).denoDir, // the project's packages, not a fresh cache
      NOTEBOOK_PORT: String(freePort()),
      NO_COLOR: "1",
    };
    await using notebooks = spawnTask("notebooks", [], { env, clearEnv: true });
    const [, url, token] = await notebooks.waitFor(
      /^notebooks: open (http:\/\/127\.0\.0\.1:\d+\/\?token=([0-9a-f]{48}))$/m,
      120_000,
    );
    await Deno.stat(join(home, ".local/share/jupyter/kernels/deno/kernel.json"));
    const api = await jupyterApi(Number(env.NOTEBOOK_PORT), token);
    assert.deepEqual(api.status, [200, 200], url);
    assert.ok(api.kernels.includes("deno"), api.kernels.join(", "));
    assert.equal((await jupyterApi(Number(env.NOTEBOOK_PORT))).status[0], 403);
    const out = await notebooks.stop("SIGTERM");
    assert.equal(out.code, 0, out.stderr);
    assert.equal(out.stdout.split(token).length - 1, 1, "the token is printed once");
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test("JupyterServer (the library under deno task notebooks): loopback, a token, the Deno kernel", async () => {
  const port = freePort();
  const token = "test-token-0123456789abcdef";
  await using jupyter = await JupyterServer.start({ notebookDir: repoPath("notebooks"), port, token });
  assert.equal(jupyter.url, `http://127.0.0.1:${port}/?token=${token}`);
  assert.equal(jupyter.displayUrl, `http://127.0.0.1:${port}/?token=***`);
  const anonymous = await fetch(`http://127.0.0.1:${port}/api/kernelspecs`);
  await anonymous.body?.cancel();
  assert.equal(anonymous.status, 403, "nothing without the token");
  const specs = await fetch(`http://127.0.0.1:${port}/api/kernelspecs`, {
    headers: { authorization: `token ${token}` },
  });
  assert.equal(specs.status, 200);
  assert.ok("deno" in (await specs.json()).kernelspecs);
  const listing = await fetch(`http://127.0.0.1:${port}/api/contents`, {
    headers: { authorization: `token ${token}` },
  });
  const names = (await listing.json()).content.map((e: { name: string }) => e.name);
  assert.ok(names.includes("04_results.ipynb"), names.join(", "));
  await assert.rejects(() => JupyterServer.start({ notebookDir: ".", token: " " }), JupyterError);
});

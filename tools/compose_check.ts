/**
 * `deno task compose-check`: the container stack, built and run for real, then removed.
 *
 * 1. A Docker engine: the running one, or a private dockerd that leaves the host's network
 *    alone (tools/docker_engine.ts).
 * 2. The base images the Dockerfile and compose.yaml name: pulled, or made locally when no
 *    registry answers (tools/base_images.ts).
 * 3. Both images built from the Dockerfile (`pipeline`, `lab`), under tags of this run; their
 *    sizes; no `.env`, `.git`, node_modules of the host or recordings inside.
 * 4. The stack from compose.yaml with the emulated camera, Jupyter and two workers, under a
 *    project name of this run: a clip's log line with `person`, capture's and both workers'
 *    `/healthz`, Jupyter's token (403 without, 200 and the Deno kernel with), and each secret
 *    only in the services that use it.
 * 5. Everything removed: containers, networks, volumes, the images it built or added, the
 *    private engine with its data.
 *
 * Exit 0 when every check passed; 1 with the failed check otherwise.
 *
 * @module
 */

import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DEFAULT_BASE_IMAGES, ensureBaseImages } from "./base_images.ts";
import { type CommandResult, DockerEngine, DockerError, fileExists, runCommand } from "./docker_engine.ts";
import { freePort } from "./free_port.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const started = Date.now();
const say = (message: string) =>
  console.log(`compose-check ${String(Math.round((Date.now() - started) / 1000)).padStart(4)} s  ${message}`);

/** A check that did not hold. */
class CheckFailed extends Error {
  override name = "CheckFailed";
}

function expect(ok: unknown, what: string): asserts ok {
  if (!ok) throw new CheckFailed(what);
}

/** Waits until `probe` returns a value, polling every second; fails naming `what` after `timeoutMs`. */
async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) {
      throw new CheckFailed(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

function randomHex(bytes: number): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (b) => b.toString(16).padStart(2, "0"))
    .join("");
}

const run = `${Deno.pid}-${randomHex(3)}`;
const project = `camwatch-check-${run}`;
const images = { pipeline: `camwatch:check-${run}`, lab: `camwatch-lab:check-${run}` };
const secrets = { redis: randomHex(24), jupyter: randomHex(24), camera: `cam-${randomHex(8)}` };
const notebookPort = freePort();

const engine = await DockerEngine.connect({ onLog: say });
const added: string[] = [];
let composeCmd: string[] = [];
let envFile: string | undefined;
let canary: string | undefined;
let failure: unknown;

/** Runs docker compose (v2 plugin, or Debian's v1 docker-compose) on this run's project. */
function compose(
  args: string[],
  options: { timeoutMs?: number; check?: boolean } = {},
): Promise<CommandResult> {
  const [cmd, ...pre] = composeCmd;
  return runCommand(cmd, [
    ...pre,
    "-p",
    project,
    "--env-file",
    envFile!,
    "-f",
    join(ROOT, "compose.yaml"),
    ...args,
  ], {
    env: { ...engine.env, COMPOSE_PROFILES: "emulator,lab" },
    cwd: ROOT,
    timeoutMs: options.timeoutMs ?? 300_000,
    check: options.check,
  });
}

/** Runs `deno eval` inside a service's container (the images have no curl). */
function inService(service: string, index: number, code: string): Promise<CommandResult> {
  return compose(["exec", "-T", "--index", String(index), service, "deno", "eval", "--quiet", code], {
    timeoutMs: 60_000,
    check: false,
  });
}

try {
  // -- compose client ------------------------------------------------------------------------
  const v2 = await engine.docker(["compose", "version"], { check: false, timeoutMs: 20_000 }).catch(() =>
    undefined
  );
  if (v2?.success) composeCmd = [engine.client, "compose"];
  else {
    const v1 = await runCommand("docker-compose", ["version", "--short"], { check: false, timeoutMs: 20_000 })
      .catch(() => undefined);
    expect(
      v1?.success,
      "neither `docker compose` nor `docker-compose` works: apt-get install docker-compose",
    );
    composeCmd = ["docker-compose"];
  }
  say(`compose: ${composeCmd.join(" ")}`);

  // -- base images -------------------------------------------------------------------------
  added.push(...await ensureBaseImages(engine, DEFAULT_BASE_IMAGES, { onLog: say }));

  // -- build ----------------------------------------------------------------------------------
  // A canary .env in the build context (when the user has none): it must not reach the images.
  if (!(await fileExists(join(ROOT, ".env")))) {
    canary = `CANARY_${randomHex(12)}`;
    await Deno.writeTextFile(join(ROOT, ".env"), `REDIS_PASSWORD=${canary}\n`);
  }
  // The machine's own CA certificates, for a build behind a TLS-inspecting proxy.
  const caCopied: string[] = [];
  const hostCerts = await Array.fromAsync(Deno.readDir("/usr/local/share/ca-certificates")).catch(() => []);
  for (const e of hostCerts) {
    if (!e.isFile || !e.name.endsWith(".crt")) continue;
    const target = join(ROOT, "docker", "ca", `host-${e.name}`);
    if (await fileExists(target)) continue;
    await Deno.copyFile(join("/usr/local/share/ca-certificates", e.name), target);
    caCopied.push(target);
  }
  try {
    for (const [target, tag] of [["lab", images.lab], ["pipeline", images.pipeline]] as const) {
      const t0 = Date.now();
      say(`building the ${target} image (${tag})`);
      await engine.docker(["build", "--network", "host", "--target", target, "-t", tag, ROOT], {
        timeoutMs: 1_500_000,
      });
      say(`built ${target} in ${Math.round((Date.now() - t0) / 1000)} s`);
    }
  } finally {
    for (const file of caCopied) await Deno.remove(file).catch(() => {});
    if (canary) await Deno.remove(join(ROOT, ".env")).catch(() => {});
  }
  const sizes: Record<string, number> = {};
  for (const [role, tag] of Object.entries(images)) {
    sizes[role] = Number(
      (await engine.docker(["image", "inspect", "--format", "{{.Size}}", tag])).stdout.trim(),
    );
    say(`image ${role}: ${(sizes[role] / 1e9).toFixed(2)} GB`);
  }
  expect(
    sizes.pipeline < 1e9,
    `the pipeline image must stay under 1 GB, it is ${(sizes.pipeline / 1e9).toFixed(2)} GB`,
  );
  for (const tag of Object.values(images)) {
    const inside = await engine.docker([
      "run",
      "--rm",
      "--entrypoint",
      "sh",
      tag,
      "-c",
      "ls -a /app; test ! -e /app/.env && test ! -e /app/.git && ! ls /app/video | grep -qv samples" +
      (canary ? ` && ! grep -rqs ${canary} /app` : ""),
    ], { check: false, timeoutMs: 120_000 });
    expect(
      inside.success,
      `${tag} holds files it must not (.env, .git, recordings or the canary secret):\n${inside.stdout}`,
    );
  }
  const pipelineFiles = (await engine.docker([
    "run",
    "--rm",
    "--entrypoint",
    "sh",
    images.pipeline,
    "-c",
    "command -v jupyter python3 gst-launch-1.0 || true",
  ])).stdout.trim();
  expect(pipelineFiles === "", `the pipeline image carries Jupyter or GStreamer: ${pipelineFiles}`);
  say("no .env, .git or recordings in the images; no Jupyter or GStreamer in the pipeline image");

  // -- the stack -------------------------------------------------------------------------------
  envFile = await Deno.makeTempFile({ prefix: "camwatch-check-", suffix: ".env" });
  await Deno.writeTextFile(
    envFile,
    [
      `REDIS_PASSWORD=${secrets.redis}`,
      `JUPYTER_TOKEN=${secrets.jupyter}`,
      // The emulator serves without a password; the URL carries one all the same, to see where it goes.
      `RTSP_URL=rtsp://viewer:${secrets.camera}@camera:8554/stream`,
      "CAMERA_NAME=front",
      "CLIP_SECONDS=6",
      "PREROLL_SECONDS=2",
      // The sample never stops moving: cap the clip so the first one ends after 8 s.
      "MAX_CLIP_SECONDS=8",
      "SAMPLE_FPS=1",
      `CAMWATCH_IMAGE=${images.pipeline}`,
      `CAMWATCH_LAB_IMAGE=${images.lab}`,
      `NOTEBOOK_HOST_PORT=${notebookPort}`,
      "",
    ].join("\n"),
  );
  say(`starting the stack (project ${project}): redis, camera, capture, 2 workers, jupyter`);
  await compose(["up", "-d", "--no-build", "--scale", "worker=2"], { timeoutMs: 300_000 });

  const line = await waitFor("a clip's log line with person", 300_000, async () => {
    const out = await compose(
      // The log is a folder of one file per day (detections.d): all of them, through a shell for the glob.
      ["exec", "-T", "--index", "1", "worker", "sh", "-c", "cat /video/detections.d/*.jsonl"],
      {
        check: false,
        timeoutMs: 30_000,
      },
    );
    return out.stdout.split("\n").filter(Boolean).map((l) => JSON.parse(l))
      .find((l) => l.ok && l.detected.includes("person"));
  });
  say(
    `log line: ${line.filename}: ${line.detected.join(", ")} in ${line.frames} frames, ${line.elapsed_ms} ms`,
  );

  const health = async (service: string, index: number, port: number) => {
    const out = await inService(
      service,
      index,
      `const r = await fetch("http://127.0.0.1:${port}/healthz"); console.log(r.status, await r.text());`,
    );
    expect(
      out.success && out.stdout.startsWith("200 "),
      `${service} #${index} /healthz: ${out.stdout}${out.stderr}`,
    );
    say(`${service} #${index} /healthz: ${out.stdout.trim().slice(0, 160)}`);
  };
  await health("capture", 1, 9464);
  await health("worker", 1, 9465);
  await health("worker", 2, 9465);

  const jupyter = `http://127.0.0.1:${notebookPort}/api/kernelspecs`;
  const anonymous = await waitFor("Jupyter on the host's loopback", 120_000, async () => {
    const r = await fetch(jupyter);
    await r.body?.cancel();
    return r.status;
  });
  expect(anonymous === 403, `Jupyter without the token answered ${anonymous}, not 403`);
  const specs = await fetch(jupyter, { headers: { authorization: `token ${secrets.jupyter}` } });
  const kernels = specs.ok ? Object.keys((await specs.json()).kernelspecs) : [];
  expect(
    specs.status === 200 && kernels.includes("deno"),
    `Jupyter with the token: ${specs.status}, ${kernels}`,
  );
  say(`Jupyter: 403 without the token, 200 with it, kernels ${kernels.join(", ")}`);

  // Each secret only where it is used.
  const envOf = async (service: string) => {
    const id = (await compose(["ps", "-q", service])).stdout.trim().split("\n")[0];
    return (await engine.docker(["inspect", "--format", "{{json .Config.Env}}", id])).stdout;
  };
  const where: Record<string, string[]> = { redis: [], jupyter: [], camera: [] };
  for (const service of ["redis", "capture", "worker", "jupyter", "camera"]) {
    const env = await envOf(service);
    for (const [name, value] of Object.entries(secrets)) if (env.includes(value)) where[name].push(service);
  }
  say(
    `secrets: Redis password in ${where.redis.join(", ")}; Jupyter token in ${where.jupyter.join(", ")}; ` +
      `camera password in ${where.camera.join(", ")}`,
  );
  expect(where.jupyter.join() === "jupyter", "the Jupyter token reaches only Jupyter");
  expect(where.camera.join() === "capture", "the camera URL reaches only capture");
  expect(
    where.redis.sort().join() === "capture,jupyter,redis,worker",
    "the Redis password reaches only its users",
  );
  const logs = (await compose(["logs", "--no-color", "capture"], { check: false })).stdout;
  expect(!logs.includes(secrets.camera), "capture's logs never show the camera password");
  say(`all checks passed in ${Math.round((Date.now() - started) / 1000)} s`);
} catch (e) {
  failure = e;
  if (envFile && composeCmd.length) {
    const logs = await compose(["logs", "--no-color", "--tail", "30"], { check: false }).catch(() =>
      undefined
    );
    if (logs) console.error(logs.stdout.split(secrets.redis).join("***"));
  }
} finally {
  say("removing what the check made");
  if (envFile && composeCmd.length) {
    await compose(["down", "-v", "--remove-orphans", "--timeout", "10"], { check: false }).catch(() => {});
  }
  if (envFile) await Deno.remove(envFile).catch(() => {});
  if (!engine.isPrivate) {
    for (const tag of [...Object.values(images), ...added]) {
      await engine.docker(["image", "rm", "-f", tag], { check: false }).catch(() => {});
    }
  }
  await engine.close();
}

if (failure) {
  const message = failure instanceof CheckFailed || failure instanceof DockerError
    ? failure.message
    : String((failure as Error)?.stack ?? failure);
  console.error(`compose-check: FAILED: ${message}`);
  Deno.exit(1);
}

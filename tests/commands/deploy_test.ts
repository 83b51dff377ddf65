/**
 * The container files, read without a Docker engine (fast; `deno task compose-check` builds and
 * runs them for real): every service runs a real task of its role's image, every variable it
 * sets is one the code reads, no secret is written down, each secret goes only where it is
 * used, Redis is private, persistent and healthy before the others start.
 */
import assert from "node:assert/strict";
import { parse } from "yaml";
import { repoPath } from "../helpers/media.ts";

// `merge: true`: compose applies YAML merge keys (`<<: *camwatch`), as Docker Compose does.
const compose = parse(await Deno.readTextFile(repoPath("compose.yaml")), { merge: true });
const dockerfile = await Deno.readTextFile(repoPath("Dockerfile"));
const tasks = Object.keys(JSON.parse(await Deno.readTextFile(repoPath("deno.json"))).tasks);

/** Every .ts file under a folder, at any depth. */
function* sourceFiles(folder: string): Generator<string> {
  for (const entry of Deno.readDirSync(folder)) {
    const path = `${folder}/${entry.name}`;
    if (entry.isDirectory) yield* sourceFiles(path);
    else if (entry.name.endsWith(".ts")) yield path;
  }
}

/** Every variable name the code reads (`readVar(env, "X")`, `numberVar(env, "X", …)`, `Deno.env.get("X")`). */
async function variablesRead(): Promise<Set<string>> {
  const names = new Set<string>();
  for (const folder of ["lib", "scripts", "tools"]) {
    for (const file of sourceFiles(repoPath(folder))) {
      const text = await Deno.readTextFile(file);
      for (
        const m of text.matchAll(
          /(?:readVar|numberVar|settingVar|switchVar|jsonVar)\(\s*env,\s*"([A-Z_]+)"|env\.get\("([A-Z_]+)"\)|env\.([A-Z_]+)\b/g,
        )
      ) {
        names.add(m[1] ?? m[2] ?? m[3]);
      }
    }
  }
  return names;
}

Deno.test("every service runs a real task of its role's image; Compose v1 accepts the file", () => {
  type Service = { command?: string[]; image?: string; build?: { target?: string }; profiles?: string[] };
  const services = compose.services as Record<string, Service>;
  assert.deepEqual(Object.keys(services).sort(), ["camera", "capture", "jupyter", "redis", "worker"]);
  const roles: Record<string, string> = {
    capture: "pipeline",
    worker: "pipeline",
    jupyter: "lab",
    camera: "lab",
  };
  for (const [name, role] of Object.entries(roles)) {
    const service = services[name];
    assert.equal(service.build?.target, role, `${name} is built from the ${role} stage`);
    assert.match(
      service.image!,
      role === "lab" ? /CAMWATCH_LAB_IMAGE:-camwatch-lab:latest/ : /CAMWATCH_IMAGE:-camwatch:latest/,
    );
    assert.ok(tasks.includes(service.command![0]), `${name} runs 'deno task ${service.command![0]}'`);
  }
  assert.deepEqual(services.camera.profiles, ["emulator"]);
  assert.deepEqual(services.jupyter.profiles, ["lab"]);
  assert.equal(compose.name, undefined, "no top-level name: Debian's docker-compose 1.29 refuses it");
  // The last stage is what a plain `docker build .` makes: the pipeline, with a task as its command.
  const stages = [...dockerfile.matchAll(/^FROM (\S+) AS (\w+)$/gm)].map((m) => m[2]);
  assert.equal(stages.at(-1), "pipeline");
  assert.ok(stages.includes("lab"));
  const cmd = [...dockerfile.matchAll(/^CMD \["(\w+)"\]$/gm)].at(-1)?.[1];
  assert.ok(cmd && tasks.includes(cmd), "the image's default command is a task");
  assert.match(dockerfile, /^ENTRYPOINT \["tini", "--", "deno", "task"\]$/m);
  assert.match(dockerfile, /^ARG BASE_IMAGE=debian:bookworm-slim$/m, "base images are build arguments");
  assert.match(dockerfile, /^ARG DENO_IMAGE=denoland\/deno:bin-\S+$/m);
});

Deno.test(".dockerignore keeps secrets, history, local installs and recordings out of the images", async () => {
  const rules = (await Deno.readTextFile(repoPath(".dockerignore"))).split("\n").filter((l) =>
    l && !l.startsWith("#")
  );
  assert.equal(rules[0], "*", "everything is left out unless named");
  const included = rules.filter((r) => r.startsWith("!")).map((r) => r.slice(1));
  for (const bad of [".env", ".git", "node_modules", "video/", "notebooks/.runs"]) {
    assert.ok(!included.some((r) => r === bad || bad.startsWith(r)), `${bad} is not sent to the builder`);
  }
  assert.ok(included.includes("video/samples/"));
});

Deno.test("every variable the files set is one the code reads", async () => {
  const read = await variablesRead();
  const set = new Set<string>();
  for (
    const [name, service] of Object.entries(
      compose.services as Record<string, { environment?: Record<string, string> }>,
    )
  ) {
    if (name === "redis") continue;
    for (const key of Object.keys(service.environment ?? {})) set.add(key);
  }
  const composeText = await Deno.readTextFile(repoPath("compose.yaml"));
  for (const line of (await Deno.readTextFile(repoPath(".env.example"))).split("\n")) {
    const m = /^#?\s*([A-Z_]+)=/.exec(line);
    // Some are compose's own (image names, the Redis password inside REDIS_URL): compose.yaml reads them.
    if (m && !composeText.includes(`\${${m[1]}:`)) set.add(m[1]);
  }
  for (const m of dockerfile.matchAll(/^ENV ((?:.|\\\n)+?)$(?<!\\)/gm)) {
    for (const pair of m[1].split(/[\s\\]+/)) {
      // DENO_* are Deno's own settings.
      if (pair.includes("=") && !pair.startsWith("DENO_")) set.add(pair.split("=")[0]);
    }
  }
  assert.ok(set.size >= 8);
  for (const name of set) assert.ok(read.has(name), `${name} is set but never read`);
});

Deno.test("no secret written down; Redis private, persistent, no eviction, healthy first", async () => {
  const text = await Deno.readTextFile(repoPath("compose.yaml"));
  // The only password is interpolated from .env, never a literal.
  for (const m of text.matchAll(/redis:\/\/:([^@]*)@/g)) assert.match(m[1], /^\$\{REDIS_PASSWORD:\?/);
  assert.doesNotMatch(text, /requirepass\s+[^"$\s]/);
  const redis = compose.services.redis;
  assert.equal(redis.ports, undefined, "Redis is not published outside the compose network");
  const command = redis.command.join(" ");
  assert.match(command, /--appendonly yes/);
  assert.match(command, /--maxmemory-policy noeviction/);
  assert.match(command, /--requirepass "\$\$REDIS_PASSWORD"/);
  assert.ok(redis.healthcheck?.test, "Redis has a healthcheck");
  assert.ok(redis.volumes.some((v: string) => v.endsWith(":/data")), "Redis data on a volume");
  for (const name of ["capture", "worker"]) {
    assert.equal(compose.services[name].depends_on.redis.condition, "service_healthy", name);
    assert.ok(compose.services[name].volumes.includes("video:/video"));
  }
  const ignored = await new Deno.Command("git", { args: ["check-ignore", "-q", ".env"], cwd: repoPath("") })
    .output();
  assert.equal(ignored.code, 0, ".env (with the real password) is git-ignored");
  assert.match(dockerfile, /^USER camwatch$/m, "the image does not run as root");
  for (const m of dockerfile.matchAll(/COPY --from=(\S+)/g)) {
    assert.match(dockerfile, new RegExp(`^FROM \\S+ AS ${m[1]}$`, "m"), `stage ${m[1]} exists`);
  }
  assert.match(dockerfile, /apt-get install[\s\S]*\bffmpeg\b/);
});

Deno.test("Jupyter in the lab image and in compose: the notebooks task, a token from .env, loopback only", async () => {
  const jupyter = compose.services.jupyter;
  assert.deepEqual(jupyter.command, ["notebooks"]);
  assert.equal(jupyter.depends_on.redis.condition, "service_healthy");
  assert.ok(jupyter.volumes.includes("video:/video"), "the notebooks see the clips and the log");
  // The token is interpolated from .env (and required), never written here.
  assert.match(jupyter.environment.JUPYTER_TOKEN, /^\$\{JUPYTER_TOKEN:\?/);
  assert.deepEqual(
    jupyter.ports,
    ["127.0.0.1:${NOTEBOOK_HOST_PORT:-8888}:8888"],
    "published on loopback only",
  );
  assert.equal(jupyter.environment.NOTEBOOK_PORT, "8888");
  assert.match(await Deno.readTextFile(repoPath(".env.example")), /^JUPYTER_TOKEN=\S{16,}$/m);
  // Jupyter (and GStreamer, for the emulator) are in the lab stage only.
  const lab = dockerfile.slice(dockerfile.indexOf("AS lab"), dockerfile.indexOf("AS pipeline"));
  const pipeline = dockerfile.slice(dockerfile.indexOf("AS pipeline"));
  for (
    const pkg of [
      "jupyter-notebook",
      "jupyter-nbconvert",
      "python3-nbclient",
      "fonts-dejavu-core",
      "gir1.2-gst-rtsp",
    ]
  ) {
    assert.match(lab, new RegExp(`apt-get install[\\s\\S]*\\b${pkg}`), pkg);
    assert.doesNotMatch(pipeline, new RegExp(pkg), `${pkg} stays out of the pipeline image`);
  }
  assert.match(dockerfile, /deno jupyter --install/, "the Deno kernel is registered in the image");
  assert.match(dockerfile, /^EXPOSE .*\b8888\b/m);
});

/**
 * The container files, checked without a Docker engine (none runs where this is developed):
 * every service runs a real task, every variable it sets is one the code reads, no secret is
 * written down, Redis is private, persistent and healthy before the others start.
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
          /(?:readVar|numberVar)\(\s*env,\s*"([A-Z_]+)"|env\.get\("([A-Z_]+)"\)|env\.([A-Z_]+)\b/g,
        )
      ) {
        names.add(m[1] ?? m[2] ?? m[3]);
      }
    }
  }
  return names;
}

Deno.test("every service runs a real task of the one image", () => {
  const services = compose.services as Record<string, { command?: string[]; image?: string; build?: string }>;
  assert.deepEqual(Object.keys(services).sort(), ["camera", "capture", "jupyter", "redis", "worker"]);
  for (const [name, service] of Object.entries(services)) {
    if (name === "redis") continue;
    assert.equal(service.image, "camwatch:latest", name);
    assert.ok(tasks.includes(service.command![0]), `${name} runs 'deno task ${service.command![0]}'`);
  }
  const cmd = /^CMD \["(\w+)"\]$/m.exec(dockerfile)?.[1];
  assert.ok(cmd && tasks.includes(cmd), "the image's default command is a task");
  assert.match(dockerfile, /^ENTRYPOINT \["tini", "--", "deno", "task"\]$/m);
  assert.deepEqual(compose.services.camera.profiles, ["emulator"]);
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
  for (const line of (await Deno.readTextFile(repoPath(".env.example"))).split("\n")) {
    const m = /^#?\s*([A-Z_]+)=/.exec(line);
    if (m && m[1] !== "REDIS_PASSWORD") set.add(m[1]); // REDIS_PASSWORD is compose's, used in REDIS_URL
  }
  for (const m of dockerfile.matchAll(/^ENV (.+)$/gm)) {
    for (const pair of m[1].split(/\s+/)) {
      if (pair.includes("=") && pair.split("=")[0] !== "DENO_DIR") set.add(pair.split("=")[0]);
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

Deno.test("Jupyter in the image and in compose: the notebooks task, a token from .env, loopback only", async () => {
  const jupyter = compose.services.jupyter;
  assert.deepEqual(jupyter.command, ["notebooks"]);
  assert.equal(jupyter.depends_on.redis.condition, "service_healthy");
  assert.ok(jupyter.volumes.includes("video:/video"), "the notebooks see the clips and the log");
  // The token is interpolated from .env (and required), never written here.
  assert.match(jupyter.environment.JUPYTER_TOKEN, /^\$\{JUPYTER_TOKEN:\?/);
  assert.deepEqual(jupyter.ports, ["127.0.0.1:8888:8888"], "published on the host's loopback only");
  assert.equal(jupyter.environment.NOTEBOOK_PORT, "8888");
  assert.match(await Deno.readTextFile(repoPath(".env.example")), /^JUPYTER_TOKEN=\S{16,}$/m);
  for (const pkg of ["jupyter-notebook", "jupyter-nbconvert", "python3-nbclient", "fonts-dejavu-core"]) {
    assert.match(dockerfile, new RegExp(`apt-get install[\\s\\S]*\\b${pkg}\\b`), pkg);
  }
  assert.match(dockerfile, /deno jupyter --install/, "the Deno kernel is registered in the image");
  assert.match(dockerfile, /^EXPOSE .*\b8888\b/m);
});

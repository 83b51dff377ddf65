/**
 * Every command a user runs is what the tests run: each task in deno.json is started by some
 * test through `deno task NAME` (tests/helpers/deno_task.ts), so that it runs with the task's own
 * permission flags and not the test runner's `--allow-all`, and no test runs a task's script
 * with flags of its own.
 */
import assert from "node:assert/strict";
import { relative } from "node:path";
import { repoPath } from "../helpers/media.ts";

/** Tasks no test starts, and why: CI (.ci/run) runs each of them itself, as a user would. */
const RUN_BY_CI: Record<string, string> = {
  test: "bash scripts/quickstart.sh test runs deno task test: the suite these tests are in",
  check: "deno task check (fmt, lint, type checks, doc lint, publish dry run) is a CI step",
  "compose-check": "bash scripts/quickstart.sh compose-check: it builds the images and needs Docker",
};

/** A call of the helper that starts a task by its name: `denoTask("NAME"` or `spawnTask("NAME"`. */
const TASK_CALL = /\b(?:denoTask|spawnTask)\(\s*["'`]([\w:-]+)["'`]/g;

const TESTS = repoPath("tests");
/** Files that name tasks without starting them: this one, and the helper's examples. */
const NOT_TESTS = [repoPath("tests/commands/tasks_test.ts"), repoPath("tests/helpers/deno_task.ts")];

function tasks(): Record<string, string> {
  const config = JSON.parse(Deno.readTextFileSync(repoPath("deno.json")));
  return Object.fromEntries(
    Object.entries(config.tasks as Record<string, string | { command: string }>).map((
      [name, task],
    ) => [name, typeof task === "string" ? task : task.command]),
  );
}

function testFiles(dir = TESTS): string[] {
  return [...Deno.readDirSync(dir)].flatMap((e) => {
    const path = `${dir}/${e.name}`;
    if (e.isDirectory) return e.name === "fixtures" ? [] : testFiles(path);
    return e.name.endsWith(".ts") && !NOT_TESTS.includes(path) ? [path] : [];
  });
}

/** Task name → the test files that start it through the helper. */
function startedTasks(): Map<string, string[]> {
  const started = new Map<string, string[]>();
  for (const file of testFiles()) {
    for (const [, name] of Deno.readTextFileSync(file).matchAll(TASK_CALL)) {
      const files = started.get(name) ?? [];
      const rel = relative(repoPath(""), file);
      if (!files.includes(rel)) files.push(rel);
      started.set(name, files);
    }
  }
  return started;
}

Deno.test("every deno task is started by a test through deno task NAME, except those CI runs itself", () => {
  const all = tasks();
  const started = startedTasks();
  const untested = Object.keys(all).filter((name) => !(name in RUN_BY_CI) && !started.has(name));
  assert.deepEqual(untested, [], `tasks no test starts with denoTask/spawnTask (tests/helpers/deno_task.ts)`);
  // The list above covers what the tests start: a task started by name exists (no typo, no renamed task).
  const unknown = [...started.keys()].filter((name) => !(name in all));
  assert.deepEqual(unknown, [], `tests start tasks deno.json does not have: ${JSON.stringify([...started])}`);
  for (const name of ["analyze", "camera", "capture", "worker", "demo", "notebooks", "bench"]) {
    assert.ok(started.has(name), `${name} is one of the tasks and is started by a test`);
  }
});

Deno.test("only deno task test runs with --allow-all; the others grant what they need, by name", () => {
  for (const [name, command] of Object.entries(tasks())) {
    const words = command.split(/\s+/);
    if (name === "test") {
      assert.ok(words.includes("--allow-all"), "the test runner itself may have everything");
      continue;
    }
    assert.ok(!words.some((w) => w === "--allow-all" || w === "-A"), `${name}: ${command}`);
    if (!command.startsWith("deno run ")) continue; // check: a shell script
    // No bare --allow-sys: a task names what it asks of the system.
    assert.ok(!words.includes("--allow-sys"), `${name}: --allow-sys=NAMES, not all of it: ${command}`);
  }
});

Deno.test("no test runs a task's script with permissions of its own instead of deno task", () => {
  const scripts = Object.entries(tasks()).filter(([name]) => !(name in RUN_BY_CI)).flatMap(
    ([name, command]) => {
      const script = command.split(/\s+/).find((w) => /\.ts$/.test(w));
      return script ? [[name, script] as const] : [];
    },
  );
  assert.ok(scripts.some(([, s]) => s === "scripts/capture.ts"), JSON.stringify(scripts));
  for (const file of testFiles()) {
    const text = Deno.readTextFileSync(file);
    for (const [name, script] of scripts) {
      assert.ok(
        !text.includes(script),
        `${relative(repoPath(""), file)} names ${script}: start it with denoTask("${name}") instead`,
      );
    }
  }
});

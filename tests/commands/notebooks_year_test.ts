/**
 * `deno task notebooks run` on a generated year of log (day files, 540 lines a day: 20 cameras at
 * 27 clips each, ending now): the check and the results notebooks run headlessly and show the last
 * 24 hours by default, the last week with RESULTS_HOURS=168, and never open the rest of the year
 * (its oldest day file is made unreadable: a notebook that read the whole log would fail).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { generateLog, LINES_PER_DAY } from "../../scripts/bench/log_bench.ts";
import { joinSource, missingOutputs, type Notebook } from "../../tools/notebook_run.ts";
import { denoTask } from "../helpers/deno_task.ts";

const decoder = new TextDecoder();

function texts(notebook: Notebook): string {
  return notebook.cells.flatMap((c) => c.outputs ?? []).map((o) =>
    joinSource(o.text ?? o.data?.["text/plain"])
  ).join("\n");
}

Deno.test("a year of log: the results notebook shows the last 24 hours by default, a week when widened, and reads nothing older", async () => {
  const dir = await Deno.makeTempDir({ prefix: "camwatch-year-" });
  try {
    const videoDir = join(dir, "video");
    const folder = join(videoDir, "detections.d");
    const keys = await generateLog(folder, 365);
    // The oldest day becomes a folder behind the file's name: reading it would throw (EISDIR).
    await Deno.remove(join(folder, `${keys[0]}.jsonl`));
    await Deno.mkdir(join(dir, "trap"));
    await Deno.symlink(join(dir, "trap"), join(folder, `${keys[0]}.jsonl`));
    const env = { VIDEO_DIR: videoDir, METRICS_PORT: "off", DETECTION_LOG: "", REDIS_URL: "", RDS_HOST: "" };
    const run = async (extra: Record<string, string>, names: string[]) => {
      const out = join(dir, `runs-${Object.values(extra).join("-") || "default"}`);
      const t0 = performance.now();
      const result = await denoTask("notebooks", ["run", "--out", out, ...names], {
        env: { ...env, ...extra },
      })
        .output();
      const seconds = (performance.now() - t0) / 1000;
      const stdout = decoder.decode(result.stdout);
      assert.equal(result.code, 0, `${stdout}\n${decoder.decode(result.stderr)}`);
      const executed: Record<string, Notebook> = {};
      for (const name of names) {
        const file = [...Deno.readDirSync(out)].find((e) =>
          e.name.startsWith(name) && e.name.endsWith(".ipynb")
        );
        assert.ok(file, `${name} ran: ${stdout}`);
        executed[name] = JSON.parse(await Deno.readTextFile(join(out, file.name)));
        assert.deepEqual(missingOutputs(executed[name]), [], name);
      }
      return { executed, seconds };
    };
    const clips = (notebook: Notebook) => {
      const m = /^(\d+) clips since .* \(the last (\d+) hours\)/m.exec(texts(notebook));
      assert.ok(m, texts(notebook).slice(0, 2000));
      return { clips: Number(m[1]), hours: Number(m[2]) };
    };

    /** Lines of the last day files whose clip started in the last `hours` (counted from the files). */
    const expected = async (hours: number) => {
      const from = Date.now() - hours * 3_600_000;
      let n = 0;
      for (const key of keys.slice(-Math.ceil(hours / 24) - 1)) {
        for (const row of (await Deno.readTextFile(join(folder, `${key}.jsonl`))).split("\n")) {
          if (row && Date.parse(JSON.parse(row).clip_start) >= from) n++;
        }
      }
      return n;
    };
    const day = await run({}, ["01_check", "04_results"]);
    const last24 = clips(day.executed["04_results"]);
    assert.equal(last24.hours, 24);
    // The notebook ran a few seconds before this count: a line every 160 s or less, a few may differ.
    const want24 = await expected(24);
    assert.ok(
      Math.abs(last24.clips - want24) <= 3,
      `${last24.clips} clips in the last 24 hours, ${want24} in the files`,
    );
    assert.match(
      texts(day.executed["01_check"]),
      /detections\.d: 365 day files; \d+ clips in the last 24 hours/,
    );

    const week = await run({ RESULTS_HOURS: "168" }, ["04_results"]);
    const last168 = clips(week.executed["04_results"]);
    assert.equal(last168.hours, 168);
    const want168 = await expected(168);
    assert.ok(
      Math.abs(last168.clips - want168) <= 3,
      `${last168.clips} clips in the last week, ${want168} in the files`,
    );
    console.log(
      `a year of log (${keys.length * LINES_PER_DAY} lines in ${keys.length} day files): ` +
        `last 24 h ${last24.clips} clips (01 and 04 in ${day.seconds.toFixed(0)} s), ` +
        `last week ${last168.clips} clips (04 in ${week.seconds.toFixed(0)} s)`,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

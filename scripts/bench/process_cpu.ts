/**
 * CPU time of a process tree from /proc (Linux): a process and all its descendants, each one's
 * user + system time plus that of its children that have already exited and been waited for
 * (`cutime` + `cstime`), so that short-lived children (ffmpeg cutting a clip) count too.
 *
 * The difference of two readings is the CPU the tree used in between: a child that exits in
 * between moves from its own line into its parent's `cutime`, which is read at the end.
 *
 * The stat files are read by `cat` in a child process: Deno lets a process read /proc only with
 * --allow-all, more than the bench task is given (it has --allow-run).
 *
 * @module
 */

/** One process line of /proc/<pid>/stat, the fields that matter here. */
export interface ProcStat {
  /** process id */
  readonly pid: number;
  /** parent's process id */
  readonly ppid: number;
  /** the executable's name (`ffmpeg`, `deno`) */
  readonly comm: string;
  /** utime + stime, in clock ticks */
  readonly own: number;
  /** cutime + cstime: children that exited and were waited for, in clock ticks */
  readonly exited: number;
}

/** CPU seconds of a process tree, in total and by part. */
export interface TreeCpu {
  /** the whole tree */
  readonly total: number;
  /**
   * By executable name for the processes alive now (`deno`, `ffmpeg`), and under
   * {@linkcode EXITED_CHILDREN} for the children that exited.
   */
  readonly parts: Readonly<Record<string, number>>;
}

/** The key of {@linkcode TreeCpu.parts} for the CPU of children that have exited. */
export const EXITED_CHILDREN = "exited children";

function parseStat(text: string): ProcStat | undefined {
  // The command name (field 2) is in parentheses and may hold spaces or parentheses itself.
  const close = text.lastIndexOf(")");
  if (close < 0) return undefined;
  const open = text.indexOf("(");
  const pid = Number(text.slice(0, open).trim());
  const rest = text.slice(close + 2).split(" "); // rest[0] is field 3 (state)
  const field = (n: number) => Number(rest[n - 3]);
  return {
    pid,
    ppid: field(4),
    comm: text.slice(open + 1, close),
    own: field(14) + field(15),
    exited: field(16) + field(17),
  };
}

let ticksPerSecond: number | undefined;

/** The kernel's clock ticks per second (`getconf CLK_TCK`, 100 on every common Linux). */
export async function clockTicks(): Promise<number> {
  if (ticksPerSecond === undefined) {
    try {
      const out = await new Deno.Command("getconf", { args: ["CLK_TCK"], stderr: "null" }).output();
      const n = Number(new TextDecoder().decode(out.stdout).trim());
      ticksPerSecond = out.success && n > 0 ? n : 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** Every process's stat line, by pid (one `cat` of /proc/<pid>/stat for all of them). */
export async function processTable(): Promise<Map<number, ProcStat>> {
  // A process that exits between the glob and the read is skipped (its time is in its parent's
  // cutime by then); `|| true` because cat then reports it and exits 1.
  const out = await new Deno.Command("sh", {
    args: ["-c", "cat /proc/[0-9]*/stat 2>/dev/null || true"],
    stdin: "null",
    stdout: "piped",
    stderr: "null",
  }).output();
  const stats = new Map<number, ProcStat>();
  for (const line of new TextDecoder().decode(out.stdout).split("\n")) {
    const stat = line && parseStat(line);
    if (stat) stats.set(stat.pid, stat);
  }
  if (stats.size === 0) throw new Error("cannot read /proc/<pid>/stat (not Linux?)");
  return stats;
}

/** `pid` and the pids of all processes below it, parents first. */
export function descendants(stats: ReadonlyMap<number, ProcStat>, pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const s of stats.values()) {
    const list = children.get(s.ppid);
    if (list) list.push(s.pid);
    else children.set(s.ppid, [s.pid]);
  }
  const found: number[] = [];
  const todo = [pid];
  while (todo.length) {
    const p = todo.shift()!;
    found.push(p);
    todo.push(...(children.get(p) ?? []));
  }
  return found;
}

/**
 * CPU seconds used so far by `pid` and every process below it, or `undefined` when `pid` no
 * longer exists.
 *
 * @example
 * ```ts
 * import { treeCpu } from "./process_cpu.ts";
 * const cpu = await treeCpu(Deno.pid);
 * console.log(cpu?.total, cpu?.parts); // e.g. 0.42 { deno: 0.42, "exited children": 0 }
 * ```
 */
export async function treeCpu(pid: number): Promise<TreeCpu | undefined> {
  const stats = await processTable();
  if (!stats.has(pid)) return undefined;
  const hz = await clockTicks();
  const parts: Record<string, number> = { [EXITED_CHILDREN]: 0 };
  let total = 0;
  for (const p of descendants(stats, pid)) {
    const s = stats.get(p)!;
    parts[s.comm] = (parts[s.comm] ?? 0) + s.own / hz;
    parts[EXITED_CHILDREN] += s.exited / hz;
    total += (s.own + s.exited) / hz;
  }
  return { total, parts };
}

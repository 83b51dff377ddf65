/**
 * The main-thread side of the inference worker: an ONNX Runtime session that runs in a Web
 * Worker, so that inference never blocks the caller's event loop.
 *
 * @module
 */

import { ModelError } from "../errors.ts";

/** A model input tensor, its buffer handed over (transferred) to the worker. */
export interface WorkerInput {
  /** the model's input name */
  readonly name: string;
  /** element type the model takes */
  readonly type: "float32" | "float16";
  /** tensor shape, `[1, 3, height, width]` */
  readonly dims: readonly number[];
  /** the values (float16 as their bits), handed over to the worker */
  readonly data: ArrayBuffer;
}

/** Messages to the worker. */
export type WorkerRequest =
  | { type: "open"; id: number; model: string; threads: number }
  | { type: "run"; id: number; input: WorkerInput; outputName: string };

/** Messages from the worker. */
export type WorkerReply =
  | { type: "opened"; id: number }
  | {
    type: "result";
    id: number;
    dims: number[];
    data: ArrayBuffer;
    /** the input buffer, handed back for reuse */
    input: ArrayBuffer;
    /** time spent inside `session.run` */
    ms: number;
  }
  | { type: "error"; id: number; message: string };

/** One inference result. */
export interface WorkerOutput {
  /** output values as float32 (half-precision outputs are widened in the worker) */
  readonly data: Float32Array;
  /** output shape */
  readonly dims: readonly number[];
  /** the input buffer, free for the next frame */
  readonly input: ArrayBuffer;
  /** milliseconds spent in `session.run` itself */
  readonly ms: number;
}

/** Options of {@linkcode WorkerSession.open}. */
export interface WorkerSessionOptions {
  /**
   * Intra-op threads for ONNX Runtime. On small machines one thread is steadier than two.
   * @default 1
   */
  threads?: number;
}

type Pending = { resolve: (reply: WorkerReply) => void; reject: (e: Error) => void };

/**
 * An ONNX Runtime inference session living in a Web Worker.
 *
 * @example
 * ```ts
 * import { WorkerSession } from "./worker_session.ts";
 * const session = await WorkerSession.open("models/yolov8n_int8.onnx", { threads: 1 });
 * const data = new Float32Array(3 * 640 * 640).buffer;
 * const out = await session.run({ name: "images", type: "float32", dims: [1, 3, 640, 640], data }, "output0");
 * console.log(out.dims); // [1, 84, 8400]
 * session.close();
 * ```
 */
export class WorkerSession {
  #worker: Worker;
  #pending = new Map<number, Pending>();
  #nextId = 1;
  /** why the session can no longer run, once closed or crashed */
  #stopped: Error | undefined;

  private constructor() {
    this.#worker = new Worker(new URL("./inference_worker.ts", import.meta.url), { type: "module" });
    this.#worker.onmessage = (event: MessageEvent<WorkerReply>) => {
      const reply = event.data;
      const pending = this.#pending.get(reply.id);
      if (!pending) return;
      this.#pending.delete(reply.id);
      pending.resolve(reply);
    };
    this.#worker.onerror = (event: ErrorEvent) => {
      event.preventDefault();
      this.#stop(new Error(`inference worker crashed: ${event.message}`));
    };
  }

  /**
   * Starts a worker and opens the model in it. Rejects with {@linkcode ModelError} when ONNX
   * Runtime cannot load the file.
   *
   * @throws {ModelError} when ONNX Runtime cannot load the model (missing file, not ONNX, an operator it
   *   lacks)
   * @throws {Error} when the worker crashes while loading
   */
  static async open(modelPath: string, options: WorkerSessionOptions = {}): Promise<WorkerSession> {
    const session = new WorkerSession();
    const reply = await session.#request({
      type: "open",
      id: 0,
      model: modelPath,
      threads: options.threads ?? 1,
    });
    if (reply.type === "error") {
      session.close();
      throw new ModelError(`ONNX Runtime cannot load ${modelPath}: ${reply.message}`);
    }
    return session;
  }

  /**
   * Runs the model on one input; the input buffer is transferred and comes back in the result.
   *
   * @param input the tensor; its `data` buffer is transferred, so it is unusable here until the result hands
   *   it back
   * @param outputName the model output to return
   * @throws {Error} when ONNX Runtime fails on the input (wrong shape or type), when the session is closed,
   *   or when the worker crashed; a crashed session stays unusable
   */
  async run(input: WorkerInput, outputName: string): Promise<WorkerOutput> {
    const reply = await this.#request({ type: "run", id: 0, input, outputName }, [input.data]);
    if (reply.type === "error") throw new Error(`inference failed: ${reply.message}`);
    if (reply.type !== "result") throw new Error(`inference worker answered '${reply.type}'`);
    return { data: new Float32Array(reply.data), dims: reply.dims, input: reply.input, ms: reply.ms };
  }

  /** Stops the worker; runs still pending are rejected. */
  close(): void {
    this.#stop(new Error("inference session closed"));
  }

  /** Stops the worker, for `using`. */
  [Symbol.dispose](): void {
    this.close();
  }

  #request(message: WorkerRequest, transfer: Transferable[] = []): Promise<WorkerReply> {
    if (this.#stopped) return Promise.reject(this.#stopped);
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#worker.postMessage({ ...message, id }, transfer);
    });
  }

  /** Ends the worker and fails pending and later runs with `error` (first reason wins). */
  #stop(error: Error): void {
    if (this.#stopped) return;
    this.#stopped = error;
    this.#worker.terminate();
    for (const p of this.#pending.values()) p.reject(error);
    this.#pending.clear();
  }
}

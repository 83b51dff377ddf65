/**
 * Worker entry point that owns the ONNX Runtime session. onnxruntime-node's `session.run`
 * blocks the JavaScript thread for the whole inference, so it runs here and the main thread
 * stays free for decoding, Redis replies, timers and signals. Loaded by
 * {@linkcode WorkerSession}; importing it elsewhere does nothing useful.
 *
 * @module
 */
/// <reference lib="deno.worker" />

import * as ort from "onnxruntime-node";
import type { WorkerReply, WorkerRequest } from "./worker_session.ts";
import { float16ToFloat32 } from "./float16.ts";

let session: ort.InferenceSession | undefined;
// Runs are serialised: ORT sessions are not meant to run concurrently with themselves.
let queue: Promise<void> = Promise.resolve();

function reply(message: WorkerReply, transfer: Transferable[] = []): void {
  self.postMessage(message, transfer);
}

async function handle(msg: WorkerRequest): Promise<void> {
  if (msg.type === "open") {
    // onnxruntime-node turns float16 data into a Float16Array whenever the runtime has one,
    // and its binding then sees 0 bytes ("not enough space: expected N, got 0"; upstream
    // microsoft/onnxruntime#32323). Without the global it keeps plain Uint16Array bits, which
    // the binding reads correctly. This changes only this worker's own global scope.
    Reflect.deleteProperty(globalThis, "Float16Array");
    try {
      session = await ort.InferenceSession.create(msg.model, {
        intraOpNumThreads: msg.threads,
        interOpNumThreads: 1,
        executionMode: "sequential",
        graphOptimizationLevel: "all",
      });
      reply({ type: "opened", id: msg.id });
    } catch (e) {
      reply({ type: "error", id: msg.id, message: e instanceof Error ? e.message : String(e) });
    }
    return;
  }
  if (!session) {
    reply({ type: "error", id: msg.id, message: "inference session is not open" });
    return;
  }
  try {
    const { input } = msg;
    const data = input.type === "float16" ? new Uint16Array(input.data) : new Float32Array(input.data);
    const tensor = new ort.Tensor(input.type, data, input.dims);
    const started = performance.now();
    const results = await session.run({ [input.name]: tensor }, [msg.outputName]);
    const ms = performance.now() - started;
    const out = results[msg.outputName];
    const values = out.type === "float16"
      ? float16ToFloat32(out.data as Uint16Array)
      : Float32Array.from(out.data as Float32Array);
    reply(
      { type: "result", id: msg.id, dims: [...out.dims], data: values.buffer, input: input.data, ms },
      [values.buffer, input.data],
    );
    tensor.dispose();
    out.dispose();
  } catch (e) {
    reply({ type: "error", id: msg.id, message: e instanceof Error ? e.message : String(e) });
  }
}

self.onmessage = (event: MessageEvent<WorkerRequest>) => {
  queue = queue.then(() => handle(event.data));
};

// The libraries the native kernels are measured against, each loaded once.
// A peer that fails to load is left out of the run, and a line on stderr
// says why; stdout carries only `deno bench --json`'s document.

import * as tf from "@tensorflow/tfjs";
import { note } from "./_config.ts";

export { tf };

/** onnxruntime-node's module. */
export type Ort = typeof import("onnxruntime-node");

/** A tfjs backend this benchmark runs tfjs's ops on. */
export type TfBackend = "cpu" | "wasm";

/** What loaded, and why not where something did not. */
export interface PeerStatus {
  backends: TfBackend[];
  /** onnxruntime-node, when it loaded. */
  ort: Ort | undefined;
  problems: string[];
}

/** The folder of the wasm backend's `.wasm` files, inside node_modules. */
function wasmFolder(): string {
  const entry = new URL(import.meta.resolve("@tensorflow/tfjs-backend-wasm"));
  return decodeURIComponent(new URL("./", entry).pathname);
}

async function loadPeers(): Promise<PeerStatus> {
  const status: PeerStatus = { backends: [], ort: undefined, problems: [] };

  if (await tf.setBackend("cpu")) status.backends.push("cpu");
  else status.problems.push("tfjs's cpu backend did not initialize");

  try {
    const wasm = await import("@tensorflow/tfjs-backend-wasm");
    wasm.setWasmPaths(wasmFolder());
    if (await tf.setBackend("wasm")) status.backends.push("wasm");
    else status.problems.push("tfjs's wasm backend did not initialize");
  } catch (error) {
    status.problems.push(`tfjs's wasm backend did not load: ${error}`);
  }
  await tf.setBackend("cpu");

  try {
    status.ort = await import("onnxruntime-node");
  } catch (error) {
    status.problems.push(`onnxruntime-node did not load: ${error}`);
  }

  for (const problem of status.problems) note(problem);
  return status;
}

/** The peers of this process, loaded on first import. */
export const peers: PeerStatus = await loadPeers();

/**
 * Makes `backend` tfjs's current one. Switching to a backend already set up
 * happens synchronously inside `setBackend`, so the promise needs no wait;
 * tensors stay on the backend that made them.
 */
export function useBackend(backend: TfBackend): void {
  if (tf.getBackend() !== backend) void tf.setBackend(backend);
}

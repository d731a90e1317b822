// Runs in the Web Workers of workers_test.ts: opens the library through the
// module, as any worker would, counts how often it is opened, and runs the
// calls the main thread asks for, synchronous and asynchronous.

/// <reference lib="deno.worker" />

// Count the opens before the module is imported.
let opened = 0;
const dlopen = Deno.dlopen;
Deno.dlopen = ((path, symbols) => {
  opened++;
  return dlopen(path, symbols);
}) as typeof Deno.dlopen;

const act = await import("../mod.ts");
const {
  ARRAY_TYPES,
  argumentsFor,
  asyncForm,
  CALLS,
  copyOf,
  resultArrays,
  syncForm,
} = await import("./_calls.ts");

type FloatArray = Float32Array | Float64Array;

/** What the main thread may ask. */
type Request =
  | { kind: "compute"; seed: number; length: number; inFlight: number }
  | { kind: "transfer"; x: FloatArray }
  | { kind: "start long calls"; count: number; length: number };

self.onmessage = async (event: MessageEvent<Request>) => {
  const request = event.data;
  switch (request.kind) {
    case "compute": {
      // Every function in both types, synchronously and asynchronously.
      const results: {
        label: string;
        sync: FloatArray[];
        async: FloatArray[];
      }[] = [];
      for (const call of CALLS) {
        for (const Type of ARRAY_TYPES) {
          const args = argumentsFor(call, Type, request.length, request.seed);
          const options = call.options(request.length);
          results.push({
            label: `${call.label} ${Type.name}`,
            sync: resultArrays(syncForm(call)(...args.map(copyOf), options)),
            async: resultArrays(await asyncForm(call)(...args, options)),
          });
        }
      }

      // Then many at once.
      const pending = [];
      for (let i = 0; i < request.inFlight; i++) {
        const call = CALLS[i % CALLS.length]!;
        const Type = ARRAY_TYPES[i % 2]!;
        pending.push(
          asyncForm(call)(
            ...argumentsFor(call, Type, request.length, request.seed + i),
            call.options(request.length),
          ),
        );
      }
      const inFlight = (await Promise.all(pending)).map(resultArrays);

      self.postMessage({
        kind: "results",
        opened,
        info: act.info(),
        results,
        inFlight,
      });
      break;
    }

    case "transfer": {
      // Arrays that came from the main thread go back to it, computed.
      const y = await act.geluAsync(request.x);
      await act.reluAsync(request.x, { out: request.x });
      self.postMessage({ kind: "transferred", x: request.x, y }, [
        request.x.buffer as ArrayBuffer,
        y.buffer as ArrayBuffer,
      ]);
      break;
    }

    case "start long calls": {
      // Calls the main thread will not wait for: it terminates this worker
      // while they run.
      for (let i = 0; i < request.count; i++) {
        const x = new Float64Array(request.length).fill(i);
        act.geluAsync(x, { out: x });
      }
      self.postMessage({ kind: "started" });
      break;
    }
  }
};

self.postMessage({ kind: "ready" });

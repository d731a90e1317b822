# The module with its native library built, its tests as the default command.
#
#   docker build -t activations .
#   docker run --rm activations                 # the tests
#   docker run --rm activations make bench      # the benchmark
FROM denoland/deno:2.9.6

# A C++ compiler and make build the native library.
RUN apt-get update \
  && apt-get install -y --no-install-recommends \
    g++ \
    make \
  && rm -rf /var/lib/apt/lists/*

WORKDIR /app
RUN chown deno:deno /app
USER deno

# npm dependencies first, in their own layer, so that a change to the sources
# does not fetch them again.
COPY --chown=deno:deno deno.json deno.lock* ./
COPY --chown=deno:deno tests/_helpers.ts tests/
RUN deno install --entrypoint tests/_helpers.ts

COPY --chown=deno:deno . .
RUN make build && deno cache mod.ts tests/*.ts bench/*.ts

CMD ["make", "test"]

# The module with its native library built; the tests are the default
# command.
#
#   docker build -t activations .
#   docker run --rm activations              # make test: every test
#   docker run --rm activations make bench   # the benchmarks
#   docker run --rm activations deno run --allow-ffi --allow-read \
#     --allow-env examples/real_model.ts     # the face-api model demo
FROM denoland/deno:2.9.6

# A C++ compiler and make build the native library.
RUN apt-get update \
  && apt-get install -y --no-install-recommends \
    g++ \
    make \
  && rm -rf /var/lib/apt/lists/*

# The image's deno user has no home folder; build.ts's per-user cache goes
# under HOME.
RUN mkdir -p /home/deno /app \
  && chown deno:deno /home/deno /app
ENV HOME=/home/deno
WORKDIR /app
USER deno

# The npm dependencies, as the lock file pins them, in their own layer: only
# a change to deno.json or deno.lock fetches them again.
COPY --chown=deno:deno deno.json deno.lock ./
RUN deno install --frozen

COPY --chown=deno:deno . .
RUN make build \
  && deno cache mod.ts build.ts tfjs.ts tests/*.ts bench/*.ts examples/*.ts

CMD ["make", "test"]

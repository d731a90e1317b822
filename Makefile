# Builds the native activation kernels and runs the Deno tests and benchmarks.
#
#   make          build native/build/libactivations.so
#   make test     build, then run every test
#   make bench    build, then run every benchmark
#   make report   build, run the benchmark, write its tables and charts
#   make clean    remove the build folder

CXX ?= g++
CXXFLAGS ?= -O3
WARNINGS := -Wall -Wextra -Werror
# Only symbols marked ACT_EXPORT leave the shared object; the C++ runtime is
# linked statically so the library loads without a matching libstdc++.
# -ffp-contract=off keeps a * b + c two roundings at every level, so that all
# levels give the same bits.
BASE_FLAGS := -std=c++17 -fPIC -fvisibility=hidden -fvisibility-inlines-hidden \
  -fno-math-errno -fno-exceptions -fno-rtti -ffp-contract=off -pthread \
  $(WARNINGS)
LDFLAGS ?=
BASE_LDFLAGS := -shared -pthread -static-libstdc++ -static-libgcc \
  -Wl,-z,nodelete -Wl,--no-undefined

BUILD_DIR := native/build
UNAME_S := $(shell uname -s)
ifeq ($(UNAME_S),Darwin)
  LIB_SUFFIX := dylib
else
  LIB_SUFFIX := so
endif
LIB := $(BUILD_DIR)/libactivations.$(LIB_SUFFIX)
HEADERS := $(wildcard native/*.h)

# One kernels file per instruction-set level, each compiled with that level's
# flags; the library picks among them at run time, so the default build still
# loads on any processor of its architecture.
LEVEL_SOURCES := native/kernels_baseline.cc
ifeq ($(shell uname -m),x86_64)
  LEVEL_SOURCES += native/kernels_avx2.cc native/kernels_avx512.cc
endif
SOURCES := native/activations.cc $(LEVEL_SOURCES)
OBJECTS := $(patsubst native/%.cc,$(BUILD_DIR)/obj/%.o,$(SOURCES))

$(BUILD_DIR)/obj/kernels_avx2.o: LEVEL_FLAGS := -mavx2 -mfma
$(BUILD_DIR)/obj/kernels_avx512.o: LEVEL_FLAGS := -mavx512f -mavx512dq \
  -mavx512vl -mavx512bw -mfma -mprefer-vector-width=512

# Use the deno on the PATH; without one, install the pinned npm package `deno`
# (it carries the real binary) into .tools/, which git ignores.
DENO_VERSION := 2.9.6
DENO_LOCAL := .tools/deno-$(DENO_VERSION)/node_modules/.bin/deno
DENO ?= $(shell command -v deno 2>/dev/null || echo $(DENO_LOCAL))
DENO_FLAGS := --allow-ffi --allow-read --allow-env
# The loader tests start child processes in temporary folders.
DENO_TEST_FLAGS := $(DENO_FLAGS) --allow-run --allow-write

.PHONY: build deno test bench report check clean

build: $(LIB)

$(BUILD_DIR)/obj/%.o: native/%.cc $(HEADERS) Makefile
	@mkdir -p $(BUILD_DIR)/obj
	$(CXX) $(BASE_FLAGS) $(CXXFLAGS) $(LEVEL_FLAGS) -c $< -o $@

$(LIB): $(OBJECTS)
	$(CXX) $(OBJECTS) -o $@ $(BASE_LDFLAGS) $(LDFLAGS)

$(DENO_LOCAL):
	npm install --silent --no-save --no-audit --no-fund \
	  --prefix .tools/deno-$(DENO_VERSION) deno@$(DENO_VERSION)

deno: $(if $(filter $(DENO_LOCAL),$(DENO)),$(DENO_LOCAL))

test: build deno
	$(DENO) test $(DENO_TEST_FLAGS) tests/

bench: build deno
	$(DENO) bench $(DENO_FLAGS) bench/

# The benchmark's tables and charts, written into README.md and bench/report/.
report: build deno
	$(DENO) run $(DENO_FLAGS) --allow-run --allow-write --allow-sys \
	  bench/report.ts

# Formatting, lint and type checks, as CI runs them.
check: deno
	$(DENO) fmt --check
	$(DENO) lint
	$(DENO) check mod.ts tests/ bench/

clean:
	rm -rf $(BUILD_DIR)

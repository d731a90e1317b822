# Builds the native activation kernels and runs the Deno tests and benchmarks.
#
#   make          build native/build/libactivations.so
#   make test     build, then run every test
#   make bench    build, then run every benchmark
#   make clean    remove the build folder
#
# Native tests (README.md, "Native tests, sanitizers and fuzzing"):
#
#   make native-test     the native test program over the C ABI
#   make sanitize        the same under AddressSanitizer and UBSan
#   make fuzz            a libFuzzer session of FUZZ_SECONDS (clang)
#   make cross-aarch64   build for aarch64, run the test under qemu and
#                        compare its output hashes with this machine's

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
# loads on any processor of its architecture. The levels are those of the
# machine the compiler builds for, so that a cross compiler gets its own
# (aarch64 has only the baseline, which is NEON there).
TARGET_MACHINE := $(shell $(CXX) -dumpmachine)
LEVEL_SOURCES := native/kernels_baseline.cc
ifneq ($(filter x86_64-%,$(TARGET_MACHINE)),)
  LEVEL_SOURCES += native/kernels_avx2.cc native/kernels_avx512.cc
endif
SOURCES := native/activations.cc $(LEVEL_SOURCES)
OBJECTS := $(patsubst native/%.cc,$(BUILD_DIR)/obj/%.o,$(SOURCES))

# Patterns, so that the test and fuzzing builds' objects get them too.
%/kernels_avx2.o: LEVEL_FLAGS := -mavx2 -mfma
%/kernels_avx512.o: LEVEL_FLAGS := -mavx512f -mavx512dq \
  -mavx512vl -mavx512bw -mfma -mprefer-vector-width=512

# Use the deno on the PATH; without one, install the pinned npm package `deno`
# (it carries the real binary) into .tools/, which git ignores.
DENO_VERSION := 2.9.6
DENO_LOCAL := .tools/deno-$(DENO_VERSION)/node_modules/.bin/deno
DENO ?= $(shell command -v deno 2>/dev/null || echo $(DENO_LOCAL))
DENO_FLAGS := --allow-ffi --allow-read --allow-env
# The loader tests start child processes in temporary folders.
DENO_TEST_FLAGS := $(DENO_FLAGS) --allow-run --allow-write

.PHONY: build deno test bench check clean native-test sanitize fuzz \
  fuzz-merge cross-aarch64

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

# Formatting, lint and type checks, as CI runs them.
check: deno
	$(DENO) fmt --check
	$(DENO) lint
	$(DENO) check mod.ts tests/ bench/

clean:
	rm -rf $(BUILD_DIR)

# ---------------------------------------------------------------------------
# Native tests: one program calls every kernel through the C ABI
# (native/tests/kernels_test.cc); it links the library's objects directly.

TEST_HEADERS := native/tests/harness.h
TEST_DIR := $(BUILD_DIR)/test
KERNELS_TEST := $(TEST_DIR)/kernels_test

$(TEST_DIR)/kernels_test.o: native/tests/kernels_test.cc $(HEADERS) \
  $(TEST_HEADERS) Makefile
	@mkdir -p $(@D)
	$(CXX) $(BASE_FLAGS) $(CXXFLAGS) -c $< -o $@

$(KERNELS_TEST): $(OBJECTS) $(TEST_DIR)/kernels_test.o
	$(CXX) $^ -pthread -o $@ $(LDFLAGS)

native-test: $(KERNELS_TEST)
	$(KERNELS_TEST)

# The same program and the library's sources under AddressSanitizer and
# UndefinedBehaviorSanitizer, with the release optimizations so that the
# vector code is what gets checked. Any report stops the run.
SANITIZE_DIR := $(BUILD_DIR)/sanitize
SANITIZE_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all \
  -fno-omit-frame-pointer -g
SANITIZE_OBJECTS := $(patsubst native/%.cc,$(SANITIZE_DIR)/%.o,$(SOURCES) \
  native/tests/kernels_test.cc)
SANITIZE_ENV := ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1 \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

$(SANITIZE_DIR)/%.o: native/%.cc $(HEADERS) $(TEST_HEADERS) Makefile
	@mkdir -p $(@D)
	$(CXX) $(BASE_FLAGS) $(CXXFLAGS) $(SANITIZE_FLAGS) $(LEVEL_FLAGS) \
	  -c $< -o $@

$(SANITIZE_DIR)/kernels_test: $(SANITIZE_OBJECTS)
	$(CXX) $(SANITIZE_FLAGS) $^ -pthread -o $@ $(LDFLAGS)

sanitize: $(SANITIZE_DIR)/kernels_test
	$(SANITIZE_ENV) $<

# Builds the native activation kernels and runs the Deno tests and benchmarks.
#
#   make          build native/build/libactivations.so
#   make test     build, then run every test
#   make check    formatting, lint, types, API docs and their examples
#   make bench    build, then run every benchmark
#   make soak     build, then a minute of calls with memory sampled
#   make report   build, run the benchmark, write its tables and charts
#   make clean    remove the build folder
#
# Native tests (README.md, "Native tests, sanitizers and fuzzing"):
#
#   make native-test     the native test program over the C ABI
#   make float-scan      every float of a range through the float kernels
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
# levels give the same bits. -fno-trapping-math lets GCC turn the kernels'
# selects on floating-point comparisons into vector blends: without it no
# loop built on exp vectorizes, at any level, on x86-64 or aarch64. It
# changes no value, only whether floating-point exception flags may be
# raised speculatively, and nothing here reads them.
BASE_FLAGS := -std=c++17 -fPIC -fvisibility=hidden -fvisibility-inlines-hidden \
  -fno-math-errno -fno-trapping-math -fno-exceptions -fno-rtti \
  -ffp-contract=off -pthread $(WARNINGS)
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
# (aarch64 has only the baseline, which is NEON there). A compiler that
# cannot say builds for this machine.
TARGET_MACHINE := $(shell $(CXX) -dumpmachine 2>/dev/null || uname -m)
LEVEL_SOURCES := native/kernels_baseline.cc
ifneq ($(filter x86_64%,$(TARGET_MACHINE)),)
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
# Tests, benchmarks and doc examples use the library just built, not one in
# the per-user cache, which the loader tries first. Set it to test another.
ACTIVATIONS_LIB_PATH ?= $(abspath $(LIB))
export ACTIVATIONS_LIB_PATH

.PHONY: build deno test bench check clean native-test float-scan sanitize fuzz \
  fuzz-merge cross-aarch64 report soak

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

# A minute of small and large calls with resident memory sampled; the test
# suite runs a shorter form (tests/soak_test.ts).
soak: build deno
	$(DENO) run $(DENO_FLAGS) --v8-flags=--expose-gc bench/soak.ts --seconds=60

# Formatting, lint, types, the API docs and their examples (build.ts's
# compile into a cache in the build folder), then the package's dry run.
check: build deno
	$(DENO) fmt --check
	$(DENO) lint
	$(DENO) check mod.ts build.ts tfjs.ts tests/ bench/ examples/
	$(DENO) doc --lint mod.ts build.ts tfjs.ts
	ACTIVATIONS_CACHE_DIR=$(abspath $(BUILD_DIR))/doc-cache \
	  $(DENO) test --doc $(DENO_TEST_FLAGS) mod.ts build.ts tfjs.ts src/
	$(DENO) publish --dry-run --allow-dirty

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

# Every float of +-[2^-30, 200] through each kernel that evaluates in float,
# against its double kernel (native/tests/float_scan.cc); a few minutes.
FLOAT_SCAN := $(TEST_DIR)/float_scan

$(TEST_DIR)/float_scan.o: native/tests/float_scan.cc native/activations.h \
  Makefile
	@mkdir -p $(@D)
	$(CXX) $(BASE_FLAGS) $(CXXFLAGS) -c $< -o $@

$(FLOAT_SCAN): $(OBJECTS) $(TEST_DIR)/float_scan.o
	$(CXX) $^ -pthread -o $@ $(LDFLAGS)

float-scan: $(FLOAT_SCAN)
	@$(FLOAT_SCAN)

# The hash of each kernel's outputs is kept for `make cross-aarch64`.
native-test: $(KERNELS_TEST)
	@$(KERNELS_TEST) --hash > $(TEST_DIR)/hashes.txt; status=$$?; \
	  tail -n 1 $(TEST_DIR)/hashes.txt; exit $$status

# The same program and the library's sources under AddressSanitizer and
# UndefinedBehaviorSanitizer, at the release optimizations. Either sanitizer
# keeps GCC from vectorizing the kernels' loops, so this checks the scalar
# code; the fuzzer below runs the vector code. Any report stops the run.
SANITIZE_DIR := $(BUILD_DIR)/sanitize
SANITIZE_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all \
  -fno-omit-frame-pointer -g
SANITIZE_OBJECTS := $(patsubst native/%.cc,$(SANITIZE_DIR)/%.o,$(SOURCES) \
  native/tests/kernels_test.cc)
SANITIZE_ENV := \
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1 \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

$(SANITIZE_DIR)/%.o: native/%.cc $(HEADERS) $(TEST_HEADERS) Makefile
	@mkdir -p $(@D)
	$(CXX) $(BASE_FLAGS) $(CXXFLAGS) $(SANITIZE_FLAGS) $(LEVEL_FLAGS) \
	  -c $< -o $@

$(SANITIZE_DIR)/kernels_test: $(SANITIZE_OBJECTS)
	$(CXX) $(SANITIZE_FLAGS) $^ -pthread -o $@ $(LDFLAGS)

sanitize: $(SANITIZE_DIR)/kernels_test
	$(SANITIZE_ENV) $<

# The fuzzer (native/fuzz/kernels_fuzz.cc), built with clang's libFuzzer and
# both sanitizers. UBSan's pointer checks (pointer-overflow, alignment, null,
# object-size) and signed-integer-overflow stop clang from vectorizing the
# kernels' loops, so the library's objects go without those five here
# (`make sanitize` has them) and the fuzzer runs the vector code that
# ships; the harness has them all. Coverage counts edges and does not trace
# comparisons, which in loops over array elements teach the fuzzer nothing
# and slow it down. A session starts
# from the corpus in the repository and keeps what it finds in the build
# folder; `make fuzz-merge` folds that into the repository's corpus.
FUZZ_CXX ?= clang++
FUZZ_SECONDS ?= 60
FUZZ_MAX_LEN := 4096
FUZZ_DIR := $(BUILD_DIR)/fuzz
FUZZ_CORPUS := native/fuzz/corpus
FUZZER := $(FUZZ_DIR)/kernels_fuzz
FUZZ_LIBRARY_OBJECTS := $(patsubst native/%.cc,$(FUZZ_DIR)/%.o,$(SOURCES))
FUZZ_SANITIZERS := -fsanitize=address,undefined -fno-sanitize-recover=all \
  -fno-omit-frame-pointer -g
FUZZ_VECTOR_FRIENDLY := \
  -fno-sanitize=pointer-overflow,alignment,null,object-size,signed-integer-overflow
FUZZ_COVERAGE := -fsanitize-coverage=inline-8bit-counters,pc-table

$(FUZZ_DIR)/%.o: native/%.cc $(HEADERS) Makefile
	@mkdir -p $(@D)
	$(FUZZ_CXX) $(BASE_FLAGS) $(CXXFLAGS) $(FUZZ_SANITIZERS) \
	  $(FUZZ_VECTOR_FRIENDLY) $(FUZZ_COVERAGE) $(LEVEL_FLAGS) -c $< -o $@

$(FUZZ_DIR)/kernels_fuzz.o: native/fuzz/kernels_fuzz.cc $(HEADERS) \
  $(TEST_HEADERS) Makefile
	@mkdir -p $(@D)
	$(FUZZ_CXX) $(BASE_FLAGS) $(CXXFLAGS) $(FUZZ_SANITIZERS) \
	  $(FUZZ_COVERAGE) -c $< -o $@

$(FUZZER): $(FUZZ_LIBRARY_OBJECTS) $(FUZZ_DIR)/kernels_fuzz.o
	$(FUZZ_CXX) $(FUZZ_SANITIZERS) -fsanitize=fuzzer $^ -pthread -o $@

fuzz: $(FUZZER)
	@mkdir -p $(FUZZ_DIR)/corpus
	@echo "fuzz: $(FUZZ_SECONDS) s from $(FUZZ_CORPUS)" \
	  "($$(ls $(FUZZ_CORPUS) | wc -l) inputs)"
	@$(SANITIZE_ENV) $(FUZZER) -max_total_time=$(FUZZ_SECONDS) \
	  -max_len=$(FUZZ_MAX_LEN) -timeout=30 -print_final_stats=1 \
	  -artifact_prefix=$(FUZZ_DIR)/ $(FUZZ_DIR)/corpus $(FUZZ_CORPUS) \
	  > $(FUZZ_DIR)/fuzz.log 2>&1 \
	  || { tail -n 40 $(FUZZ_DIR)/fuzz.log; echo "fuzz: FAILED, the input" \
	  "is in $(FUZZ_DIR)/ (crash-*, timeout-* or leak-*)"; exit 1; }
	@awk '/^stat::number_of_executed_units/ { runs = $$2 } \
	  /^#[0-9]+.*DONE/ { done = $$0 } \
	  END { sub(/^.*DONE[ \t]+/, "", done); sub(/[ \t]+lim:.*$$/, "", done); \
	  printf "fuzz: %s executions in $(FUZZ_SECONDS) s, no failure (%s)\n", \
	  runs, done }' $(FUZZ_DIR)/fuzz.log

# aarch64: the library and the test program built with Debian's cross
# compiler (g++-aarch64-linux-gnu) and run under qemu-user. Every float
# kernel must give the bits it gives on this machine; double kernels call
# glibc's libm, whose results may differ by an ulp between architectures,
# and those that differ are listed.
AARCH64_CXX ?= aarch64-linux-gnu-g++
QEMU_AARCH64 ?= qemu-aarch64 -L /usr/aarch64-linux-gnu
AARCH64_DIR := $(BUILD_DIR)/aarch64

cross-aarch64: native-test
	$(MAKE) --no-print-directory CXX=$(AARCH64_CXX) BUILD_DIR=$(AARCH64_DIR) \
	  build $(AARCH64_DIR)/test/kernels_test
	@$(QEMU_AARCH64) $(AARCH64_DIR)/test/kernels_test --hash \
	  > $(AARCH64_DIR)/test/hashes.txt; status=$$?; \
	  tail -n 1 $(AARCH64_DIR)/test/hashes.txt; exit $$status
	@awk 'NR == FNR { if ($$1 == "hash") here[$$2] = $$3; next } \
	  $$1 == "hash" && $$2 != "all" { total++; \
	    if (here[$$2] == $$3) same++; \
	    else if ($$2 ~ /_f32$$/) floats = floats " " $$2; \
	    else doubles = doubles " " $$2 } \
	  END { printf "cross-aarch64: %d of %d kernels give the x86-64 bits", \
	    same, total; \
	    if (doubles != "") printf "; double kernels that differ (libm):%s", \
	      doubles; \
	    print ""; \
	    if (floats != "") { print "float kernels that differ:" floats; \
	      exit 1 } }' \
	  $(TEST_DIR)/hashes.txt $(AARCH64_DIR)/test/hashes.txt

# Rewrites the repository's corpus as the fewest inputs, of it and of what
# the sessions found, that reach every edge they reach.
fuzz-merge: $(FUZZER)
	rm -rf $(FUZZ_DIR)/merged && mkdir -p $(FUZZ_DIR)/merged
	$(FUZZER) -merge=1 -use_counters=0 -max_len=$(FUZZ_MAX_LEN) \
	  $(FUZZ_DIR)/merged $(FUZZ_CORPUS) $(FUZZ_DIR)/corpus
	rm -rf $(FUZZ_CORPUS) && mv $(FUZZ_DIR)/merged $(FUZZ_CORPUS)
	@echo "fuzz-merge: $$(ls $(FUZZ_CORPUS) | wc -l) inputs," \
	  "$$(cat $(FUZZ_CORPUS)/* | wc -c) bytes in $(FUZZ_CORPUS)"

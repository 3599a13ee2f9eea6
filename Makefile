# Thin wrapper around meson/ninja.  Every target first makes sure the
# build dependencies are installed (a no-op when they are).
BUILD ?= build
NINJA_JOBS ?= 2
MESON_OPTS ?=

.PHONY: all deps run check check-unit check-qtest check-functional bench fuzz clean

all: $(BUILD)/build.ninja
	ninja -C $(BUILD) -j$(NINJA_JOBS)

deps:
	@scripts/install-deps.sh

$(BUILD)/build.ninja: | deps
	meson setup $(BUILD) $(MESON_OPTS)

run: all
	scripts/run-demo.sh $(BUILD)

check: all
	meson test -C $(BUILD) --print-errorlogs --num-processes $(NINJA_JOBS)

check-unit: all
	meson test -C $(BUILD) --print-errorlogs --suite unit

check-qtest: all
	meson test -C $(BUILD) --print-errorlogs --suite qtest

check-functional: all
	meson test -C $(BUILD) --print-errorlogs --suite functional

bench: all
	meson test -C $(BUILD) --benchmark --verbose

# libFuzzer (clang) with ASan/UBSan; FUZZ_SECONDS bounds the run.
FUZZ_SECONDS ?= 120
fuzz:
	@scripts/install-deps.sh --fuzz
	test -f build-fuzz/build.ninja || CC=clang meson setup build-fuzz \
	    -Dfuzzing=true -Db_sanitize=address,undefined -Db_lundef=false
	ninja -C build-fuzz -j$(NINJA_JOBS) tests/fuzz/virtio-mem-fuzz
	mkdir -p build-fuzz/corpus
	build-fuzz/tests/fuzz/virtio-mem-fuzz -max_total_time=$(FUZZ_SECONDS) \
	    -print_final_stats=1 build-fuzz/corpus

clean:
	rm -rf $(BUILD)

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

# libFuzzer (clang) with ASan/UBSan; each target runs FUZZ_SECONDS.  Corpora
# grow in build-fuzz/corpus (virtio-mem) and build-fuzz/corpus-NAME, seeded
# from tests/fuzz/seeds/NAME when it exists; crashes land in build-fuzz/.
FUZZ_SECONDS ?= 120
FUZZ_TARGETS ?= virtio-mem-fuzz elf-loader-fuzz vhost-user-fuzz
fuzz:
	@scripts/install-deps.sh --fuzz
	test -f build-fuzz/build.ninja || CC=clang meson setup build-fuzz \
	    -Dfuzzing=true -Db_sanitize=address,undefined -Db_lundef=false
	ninja -C build-fuzz -j$(NINJA_JOBS) $(addprefix tests/fuzz/,$(FUZZ_TARGETS))
	set -e; for t in $(FUZZ_TARGETS); do \
	    name=$${t%-fuzz}; corpus=build-fuzz/corpus-$$name; \
	    if [ $$t = virtio-mem-fuzz ]; then corpus=build-fuzz/corpus; fi; \
	    mkdir -p $$corpus; \
	    echo "== $$t: $(FUZZ_SECONDS) s, corpus $$corpus"; \
	    build-fuzz/tests/fuzz/$$t -max_total_time=$(FUZZ_SECONDS) \
	        -print_final_stats=1 -artifact_prefix=build-fuzz/$$t- \
	        $$corpus $$(ls -d tests/fuzz/seeds/$$name 2>/dev/null); \
	done

clean:
	rm -rf $(BUILD)

# Thin wrapper: everything real lives in CMake (CMakePresets.json). Builds use -j2.
PRESET ?= release
BUILD  := build/$(PRESET)
SANSIM := $(BUILD)/cli/sansim
PKGS   := cmake ninja-build g++ pkg-config libboost-test-dev libz3-dev librapidcheck-dev libcli11-dev libyaml-cpp-dev nlohmann-json3-dev

.PHONY: deps build demo check asan bench clean

# Installs the Debian packages the build needs, only those missing.
deps:
	@missing=""; for p in $(PKGS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	else echo "deps: all present"; fi

build: deps
	cmake --preset $(PRESET) >/dev/null
	cmake --build --preset $(PRESET)

# Runs the scenario library and writes a report.
demo: build
	@$(SANSIM) run scenarios/library/ --report report --failures failures; status=$$?; \
	echo "demo report: $$(pwd)/report/summary.md and $$(pwd)/report/results.json"; exit $$status

# Builds and runs every test through ctest.
check: build
	cd $(BUILD) && ctest --output-on-failure -j2

asan:
	$(MAKE) check PRESET=asan

# Engine figures against the bare heap floor and, when libsimgrid-dev is present,
# against SimGrid S4U's actor ping-pong.
bench: build
	@$(SANSIM) bench engine | tee $(BUILD)/bench.txt
	@if [ -x $(BUILD)/tests/bench/simgrid/simgrid_pingpong ]; then \
	  $(BUILD)/tests/bench/simgrid/simgrid_pingpong 1000000 | tee -a $(BUILD)/bench.txt; \
	  ours=$$(sed -n 's/^sansim_pingpong messages_per_sec=//p' $(BUILD)/bench.txt); \
	  theirs=$$(sed -n 's/.*simgrid_pingpong .*messages_per_sec=\([0-9.]*\).*/\1/p' $(BUILD)/bench.txt); \
	  awk -v a=$$ours -v b=$$theirs 'BEGIN { printf "ping-pong: sansim / SimGrid S4U = %.1fx (budget >= 10x)\n", a / b }'; \
	else echo "SimGrid reference skipped: apt-get install libsimgrid-dev, then rerun make bench"; fi

clean:
	rm -rf build report failures

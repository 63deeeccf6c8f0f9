# Entry points. README.md documents them; .ci/run calls `make test`.
.PHONY: setup build test check demo bench clean

JOBS ?= $(shell nproc)

setup:
	@if [ "$$(id -u)" -eq 0 ]; then bash scripts/setup.sh; else sudo bash scripts/setup.sh; fi

build: setup
	cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release
	cmake --build build/release -j$(JOBS)

# Everything: native, ASan+UBSan, ARM cross builds under qemu, 60 s of fuzzing.
test: setup
	bash scripts/test_all.sh

# Native build and tests only (the quick loop while developing).
check: build
	ctest --test-dir build/release -j$(JOBS) --output-on-failure

demo: build
	bash scripts/demo.sh

clean:
	rm -rf build

# Fuzzing: cargo-fuzz targets in fuzz/ (a crate of its own, built with nightly).
# Included by the Makefile.
#
#   make fuzz-ci     seed the corpora from tests/vectors/, run every target FUZZ_SECONDS
#                    (default 60) each; fails on any crash
#   make fuzz-long   the same with FUZZ_SECONDS default 600, and the table of executions
#                    and crashes written to fuzz/last-run.md (committed, quoted by docs/security.md)
#   make fuzz-seed   (re)write the seed inputs into fuzz/corpus/<target>/
#   make tools-fuzz  a nightly toolchain and cargo-fuzz, if missing
#
# One target at a time, one libFuzzer process each (-rss_limit_mb=2048, -timeout=10).
# FUZZ_TARGETS="verify jwk" limits the run; a crash input lands in fuzz/artifacts/<target>/
# and is printed in base64. Reproduce one with
#   cargo +nightly fuzz run --sanitizer=none --debug-assertions <target> <file>

FUZZ_TOOLCHAIN ?= nightly

.PHONY: tools-fuzz fuzz-seed fuzz-ci fuzz-long

tools-fuzz:
	@rustup toolchain list | grep '^$(FUZZ_TOOLCHAIN)' >/dev/null || rustup toolchain install $(FUZZ_TOOLCHAIN) --profile minimal
	@command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked

# The seeder is an example of the fuzz crate, built with the default toolchain.
fuzz-seed:
	cargo run --quiet --locked --manifest-path fuzz/Cargo.toml --example seed_corpus

fuzz-ci: FUZZ_SECONDS ?= 60
fuzz-ci: tools-fuzz fuzz-seed
	FUZZ_TOOLCHAIN=$(FUZZ_TOOLCHAIN) FUZZ_TARGETS="$(FUZZ_TARGETS)" fuzz/run.sh $(FUZZ_SECONDS)

fuzz-long: FUZZ_SECONDS ?= 600
fuzz-long: tools-fuzz fuzz-seed
	FUZZ_TOOLCHAIN=$(FUZZ_TOOLCHAIN) FUZZ_TARGETS="$(FUZZ_TARGETS)" fuzz/run.sh $(FUZZ_SECONDS) fuzz/last-run.md

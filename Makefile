# tollgate — build, test and demo.
#
#   make pkg     build the npm package in pkg/ (wasm + glue), check the size budget
#   make facts   write pkg/facts.js and facts.d.ts from the crate's tables (codes, algorithms, …)
#   make size    size breakdown of the built wasm (sections, biggest functions)
#   make size-report   the same with function names, summed per crate (second build)
#   make test    everything CI runs (installs missing tools first)
#   make demo    real workerd serving examples/worker + the www/ page, with demo tokens
#   make bench   bench/run.mjs (verify vs jose), bench/peers.mjs (every peer, decode, import,
#                cold start, size), bench/workerd.mjs (the same inside workerd),
#                bench/policy.mjs (policy vs Cedar)
#   make tools   install whatever is missing (idempotent, fast when all present)
#   make clean
#
# Every tool comes from apt, crates.io or npm; nothing downloads a browser or a
# prebuilt binary from anywhere else (PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD, Debian's
# chromium + chromedriver, wasm-pack given the chromedriver path and finding
# wasm-bindgen on PATH).

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := pkg
.DELETE_ON_ERROR:
MAKEFLAGS += --no-builtin-rules --no-print-directory

export PATH := $(HOME)/.cargo/bin:$(PATH)
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1
export CARGO_TERM_COLOR ?= never
export NPM_CONFIG_UPDATE_NOTIFIER := false
export NPM_CONFIG_FUND := false
export NPM_CONFIG_AUDIT := false

# The CLI must equal the exact pin in Cargo.toml: one source of truth.
WASM_BINDGEN_VERSION := $(shell sed -n 's/^wasm-bindgen *= *"=\([0-9.]*\)".*/\1/p' Cargo.toml)
ifeq ($(WASM_BINDGEN_VERSION),)
$(error Cargo.toml must pin wasm-bindgen exactly, e.g. wasm-bindgen = "=0.2.130")
endif

SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
# clang + llvm-ar: ring's C/asm for wasm32. chromium + driver: wasm-pack's browser
# tests and the page test (Playwright drives the same binary).
APT_PACKAGES := clang llvm chromium chromium-driver fonts-liberation

CARGO_TARGET_DIR ?= target
WASM_TARGET := wasm32-unknown-unknown
RAW_WASM := $(CARGO_TARGET_DIR)/$(WASM_TARGET)/release/tollgate.wasm
PKG_WASM := pkg/wasm/tollgate_wasm_bg.wasm
# 90 KiB, from 78.5 KB: serde_json and the base64 crate +6.7 KB (docs/design.md "serde,
# measured"; the issue allowed +10 KB for the crates), the native path's two halves +1.5 KB,
# keys as IdPs publish them (kid-less keys, JWKs without alg, RSA bound by a verifier) +3.9 KB,
# opaque tokens' claim check +0.8 KB, challenges that offer DPoP +1.3 KB.
SIZE_BUDGET := 94208
# Each module names its cargo features (the crate's defaults are for Rust users): the
# verifier's has none of them. Measured on top of it (gzip): signing +31.7 KB, es512
# (P-521) +30.3 KB, es256k (secp256k1) +17.0 KB.
VERIFIER_FEATURES :=
# tollgate/policy's module is the full one: the verifier's exports plus the policy
# engine (feature `policy-module`), so that a guard with a policy authorizes a request
# in one call; built in its own target dir at opt-level "s" (evaluate ~1.4x faster than
# at z, for ~6 KB of gzip). Applications that only verify load the verifier's module.
# It signs too (feature `sign`: SigningKey, sign, downscope): 124.8 KB of gzip without,
# 157.1 KB with, hence the budget of 160 KiB; es512 would add 30.2 KB more, so neither
# curve is in a module (the crate verifies them natively, the features on by default).
POLICY_FEATURES := policy-module,sign
POLICY_TARGET_DIR := $(CARGO_TARGET_DIR)/policy-module
RAW_POLICY_WASM := $(POLICY_TARGET_DIR)/$(WASM_TARGET)/release/tollgate.wasm
PKG_POLICY_WASM := pkg/wasm/tollgate_policy_bg.wasm
# 200 KiB: the verifier's exports and the policy engine (the policy module of its own was
# 49.8 KiB beside the verifier's 76.7), the governance queries (~5 KiB), serde_json, the
# credentials (API keys, Basic: feature `credentials`, +16.1 KB), DPoP/mTLS (~12 KB) and
# signing (feature `sign`, +31 KB); the verifier's module has no room for them (with the
# credentials alone: 96959 B there). ES512/ES256K are in neither module (+30 / +17 KB).
# 208 KiB since 198.4 KB: API keys and Basic through the guard with a policy in one call and
# challenges offering every scheme (+0.7 KB), DPoP checked by native crypto in two halves
# (+3.6 KB), opaque tokens with a policy in one call, the store's revocation code (+2.8 KB).
POLICY_SIZE_BUDGET := 212992

# wasm-opt comes from npm's binaryen (pinned in .ci/package.json), not Debian's:
# binaryen 108 (Debian 12) round-trips wasm-bindgen's module with the exported
# `__wbindgen_externrefs` table rebound to the funcref table, so the glue's
# table.set/grow throw at init (WebAssembly/binaryen#4711, fixed upstream).
# Override with WASM_OPT=/path/to/wasm-opt (>= 110) if you have one.
WASM_OPT ?= .ci/node_modules/.bin/wasm-opt
# Rust 1.95's wasm32 output uses these post-MVP features; wasm-opt must be told.
WASM_FEATURES := \
	--enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
	--enable-mutable-globals --enable-reference-types --enable-multivalue
WASM_OPT_FLAGS := -Oz $(WASM_FEATURES) --strip-debug --strip-producers --strip-target-features

CHROMIUM := /usr/bin/chromium
CHROMEDRIVER := /usr/bin/chromedriver
NODE_TEST := node --test

.PHONY: all pkg facts size size-report test test-rust test-wasm test-types test-edge test-hono test-js test-cli test-package test-workerd test-browser test-bundlers \
	demo bench tools tools-rust tools-apt tools-wasm-bindgen tools-wasm-pack tools-wasm-opt tools-npm clean

all: pkg

# --------------------------------------------------------------------------- pkg

pkg: tools-rust tools-apt tools-wasm-bindgen tools-wasm-opt
	cargo build --release --target $(WASM_TARGET) --lib --no-default-features $(if $(VERIFIER_FEATURES),--features $(VERIFIER_FEATURES))
	CARGO_TARGET_DIR=$(POLICY_TARGET_DIR) cargo build --release --target $(WASM_TARGET) --lib --no-default-features --features $(POLICY_FEATURES)
	rm -rf pkg/wasm
	wasm-bindgen --target web --out-dir pkg/wasm --out-name tollgate_wasm $(RAW_WASM)
	wasm-bindgen --target web --out-dir pkg/wasm --out-name tollgate_policy $(RAW_POLICY_WASM)
	$(WASM_OPT) $(WASM_OPT_FLAGS) -o $(PKG_WASM) $(PKG_WASM)
	$(WASM_OPT) $(subst -Oz,-Os,$(WASM_OPT_FLAGS)) -o $(PKG_POLICY_WASM) $(PKG_POLICY_WASM)
	@# The same bytes inside JavaScript, for the self-contained entries (inline.js, policy-inline.js).
	node .ci/wasm-inline.mjs $(PKG_WASM) pkg/wasm/tollgate_wasm_inline.js
	node .ci/wasm-inline.mjs $(PKG_POLICY_WASM) pkg/wasm/tollgate_policy_inline.js
	@test -f README.md || { echo "make pkg: README.md is missing (copied into pkg/)" >&2; exit 1; }
	cp README.md pkg/README.md
	@shopt -s nullglob; for f in LICENSE*; do cp "$$f" pkg/; done
	@# Smoke test: the optimized module must still instantiate through the Node entry.
	@if [ -f pkg/node.js ]; then node --input-type=module \
		-e 'const m = await import("./pkg/node.js"); console.log(`pkg/node.js loads: $${Object.keys(m).length} exports`)'; fi
	@node .ci/wasm-size.mjs $(PKG_WASM) --budget $(SIZE_BUDGET) --last $(CARGO_TARGET_DIR)/wasm-size.last
	@node .ci/wasm-size.mjs $(PKG_POLICY_WASM) --budget $(POLICY_SIZE_BUDGET) --last $(CARGO_TARGET_DIR)/policy-size.last

# pkg/facts.js, pkg/facts.d.ts and docs/errors.md, written from the crate's tables (src/facts.rs);
# `cargo test` (tests/facts.rs) fails while the committed copies are stale.
facts:
	TOLLGATE_WRITE_FACTS=1 cargo test -q --test facts

# Size breakdown of the last build, whatever its size (functions unnamed: stripped).
size:
	@node .ci/wasm-size.mjs $(PKG_WASM) --budget $(SIZE_BUDGET) --breakdown

# The same build with function names kept, summed per crate. Slow: a second full
# LTO build in target/size/. Nothing here is shipped.
SIZE_DIR := $(CARGO_TARGET_DIR)/size
size-report: tools-wasm-bindgen tools-wasm-opt
	CARGO_PROFILE_RELEASE_STRIP=false CARGO_TARGET_DIR=$(SIZE_DIR) \
		cargo build --release --target $(WASM_TARGET) --lib --no-default-features $(if $(VERIFIER_FEATURES),--features $(VERIFIER_FEATURES))
	wasm-bindgen --target web --out-dir $(SIZE_DIR)/bindgen --out-name tollgate_wasm \
		$(SIZE_DIR)/$(WASM_TARGET)/release/tollgate.wasm
	$(WASM_OPT) -Oz $(WASM_FEATURES) -g -o $(SIZE_DIR)/named.wasm $(SIZE_DIR)/bindgen/tollgate_wasm_bg.wasm
	@node .ci/wasm-size.mjs $(SIZE_DIR)/named.wasm --breakdown --by-crate

# -------------------------------------------------------------------------- test

test: tools
	$(MAKE) test-rust
	$(MAKE) fuzz-ci
	$(MAKE) test-wasm
	$(MAKE) pkg
	$(MAKE) test-types
	$(MAKE) test-js
	$(MAKE) test-cli
	$(MAKE) test-interop
	$(MAKE) test-package
	$(MAKE) test-edge
	$(MAKE) test-hono
	$(MAKE) test-workerd
	$(MAKE) test-browser
	$(MAKE) test-bundlers

test-rust:
	cargo fmt --all -- --check --color=never
	cargo clippy --all-targets -- -D warnings
	cargo test
	@# The verifier module's build (no cargo features): ES512/ES256K are then "not supported".
	cargo test -q --no-default-features --lib --test vectors --test attacks --test wycheproof
	cargo clippy --target $(WASM_TARGET) --all-targets -- -D warnings
	cargo clippy --target $(WASM_TARGET) --lib --no-default-features --features $(POLICY_FEATURES) -- -D warnings
	cargo clippy --target $(WASM_TARGET) --lib --no-default-features $(if $(VERIFIER_FEATURES),--features $(VERIFIER_FEATURES)) -- -D warnings
	@echo "Wycheproof, per file:"; cargo test -q --test wycheproof -- --nocapture 2>/dev/null | grep '^|'

# The same wasm tests in Node and in headless Chromium: WASM_BINDGEN_USE_BROWSER runs
# suites without run_in_browser in the browser too (else the Chrome run skips them).
# wasm-bindgen-test-runner reads webdriver.json (chromium flags) from the crate root.
test-wasm:
	wasm-pack test --node
	WASM_BINDGEN_USE_BROWSER=1 wasm-pack test --headless --chrome --chromedriver $(CHROMEDRIVER)

# The hand-written pkg/tollgate.d.ts: documented usage compiles, misuse does not; every
# ```js/```ts block of README.md and docs/*.md compiles under strict and runs in Node
# against pkg/ (tests/types/markdown.mjs).
test-types:
	cd tests && npx tsc -p types
	cd tests && npx tsc -p edge/types
	node tests/types/markdown.mjs

# tollgate/hono with real hono: in Node, and the examples/hono app bundled (esbuild) in workerd.
test-hono:
	$(NODE_TEST) tests/hono/

# Remote key sets and the request guard, against a local JWKS server and in workerd.
test-edge:
	$(NODE_TEST) tests/edge/

test-js:
	$(NODE_TEST) tests/js/

# The governance CLI (pkg/cli.js) and its analyses (pkg/governance.js, pkg/governance/).
test-cli:
	$(NODE_TEST) tests/cli/

test-package:
	$(NODE_TEST) tests/package/

test-workerd:
	$(NODE_TEST) tests/workerd/

test-browser:
	$(NODE_TEST) tests/browser/

# Verify-only apps built by esbuild (iife, esm, neutral, CommonJS projects), Vite and webpack
# from the packed tarball, and README.md's SPA quick start built by Vite, run in Chromium
# (tests/bundlers/package.json has the bundlers). README's Worker quick start: test-workerd.
test-bundlers: tools-npm
	$(NODE_TEST) tests/bundlers/

# -------------------------------------------------------------------------- demo

demo: pkg tools-npm
	node examples/worker/demo.mjs

bench: pkg
	@if [ -f bench/package.json ]; then \
		(cd bench && npm install --no-save); \
	fi
	node bench/run.mjs
	node bench/peers.mjs
	node bench/workerd.mjs
	node bench/policy.mjs

# ------------------------------------------------------------------------- tools

tools: tools-rust tools-apt tools-wasm-bindgen tools-wasm-pack tools-wasm-opt tools-npm

tools-rust:
	@rustup target list --installed | grep -qx $(WASM_TARGET) || rustup target add $(WASM_TARGET)
	@cargo fmt --version >/dev/null 2>&1 || rustup component add rustfmt
	@cargo clippy --version >/dev/null 2>&1 || rustup component add clippy

tools-apt:
	@missing=""; \
	for p in $(APT_PACKAGES); do \
		dpkg-query -W -f='$${Status}' "$$p" 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "apt: installing$$missing"; \
		$(SUDO) apt-get update -qq; \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi

# Deliberately without --locked; the version check decides, and reinstalls on a mismatch.
tools-wasm-bindgen:
	@if [ "$$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $(WASM_BINDGEN_VERSION)" ]; then \
		echo "installing wasm-bindgen-cli $(WASM_BINDGEN_VERSION)"; \
		cargo install wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION) --force; \
	fi

tools-wasm-pack:
	@command -v wasm-pack >/dev/null || cargo install wasm-pack

tools-wasm-opt: .ci/node_modules/.installed

.ci/node_modules/.installed: .ci/package.json .ci/package-lock.json
	cd .ci && npm install --no-save
	touch $@

tools-npm: tests/node_modules/.installed tests/bundlers/node_modules/.installed

# `npm install`, not `npm ci`: the lock lists only the platform packages the registry
# serves here (workerd's darwin/windows builds are absent), which `npm ci` rejects as
# out of sync. With the lock present, install still takes the locked versions;
# --no-save leaves the committed lock as it is (a checkout stays clean).
tests/node_modules/.installed: tests/package.json tests/package-lock.json
	cd tests && npm install --no-save
	touch $@

# The bundlers' lock lists every platform's optional binaries (esbuild, rolldown): `npm ci` works.
tests/bundlers/node_modules/.installed: tests/bundlers/package.json tests/bundlers/package-lock.json
	cd tests/bundlers && npm ci
	touch $@

# -------------------------------------------------------------- fragments
# Interop with independent implementations (PyJWT, jose).
include .ci/interop.mk
# cargo-fuzz targets: a bounded run in `make test`, a long one by hand.
include .ci/fuzz.mk

# ------------------------------------------------------------------------- clean

clean:
	cargo clean
	rm -rf pkg/wasm pkg/README.md pkg/LICENSE* pkg/*.tgz
	rm -rf tests/node_modules tests/bundlers/node_modules bench/node_modules .ci/node_modules tests/browser/screenshots

# The two commands of the README. Both install what is missing first.
#   make demo             build the package, start the OpenID provider and the demo SPA
#   make demo HEADLESS=1  the same, signs in headlessly, prints the account, exits
#   make test             every test
#   make bench            msal-wasm vs @azure/msal-browser in headless Chromium, then init and cache hits
#                         in Firefox ESR, then how much of the wasm a visit runs (not part of test)
.PHONY: demo test setup pkg bench

setup:
	@bash scripts/setup.sh

pkg: setup
	@bash scripts/build-pkg.sh

demo: pkg
	@node scripts/demo.mjs $(if $(HEADLESS),--headless,)

test: pkg
	@bash scripts/test.sh

bench: pkg
	@node bench/run.mjs
	@node bench/run.mjs --engine firefox
	@node bench/hot-path.mjs
	@cargo bench --bench core

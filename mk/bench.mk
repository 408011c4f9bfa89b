# Benchmarks (issue 5): included by the top-level Makefile.
#   make bench          full run (~10 min): results in bench/results/latest.{json,md,png},
#                       then docs/capacity.md regenerated from latest.json
#   make bench-quick    the same in under 2 minutes (BENCH_QUICK=1), results in bench/results/quick/
#   make bench-profile  py-spy profile of the cached list path -> bench/results/profile-cached.txt
# wrk comes from Debian (apt-get when missing); granian and py-spy are installed into .venv only
# for the comparison and the profile: they are NOT project dependencies and stay out of the locks.
BENCH_GRANIAN_VERSION ?= 2.8.9
BENCH_PYSPY_VERSION ?= 0.4.3
BENCH_ENV := PYTHONPATH=$(CURDIR)

.PHONY: bench bench-quick bench-deps bench-profile bench-capacity bench-smoke

bench-deps:
	@command -v wrk >/dev/null 2>&1 || { apt-get update && apt-get install -y wrk; }
	@PYTHONPATH=$(CURDIR)/deploy python3 -m stack system-deps
	@$(VENV)/bin/python -c "import importlib.metadata as m, sys; \
		sys.exit(m.version('granian') != '$(BENCH_GRANIAN_VERSION)')" 2>/dev/null \
		|| $(VENV)/bin/pip install --quiet --disable-pip-version-check granian==$(BENCH_GRANIAN_VERSION)

bench: install bench-deps
	$(BENCH_ENV) $(VENV)/bin/python -m bench.run
	$(BENCH_ENV) $(VENV)/bin/python -m bench.capacity bench/results/latest.json docs/capacity.md

bench-quick: install bench-deps
	BENCH_QUICK=1 $(BENCH_ENV) $(VENV)/bin/python -m bench.run

bench-capacity: install-python
	$(BENCH_ENV) $(VENV)/bin/python -m bench.capacity bench/results/latest.json docs/capacity.md

bench-profile: install bench-deps
	@$(VENV)/bin/python -c "import importlib.metadata as m, sys; \
		sys.exit(m.version('py-spy') != '$(BENCH_PYSPY_VERSION)')" 2>/dev/null \
		|| $(VENV)/bin/pip install --quiet --disable-pip-version-check py-spy==$(BENCH_PYSPY_VERSION)
	$(BENCH_ENV) $(VENV)/bin/python -m bench.profile

bench-smoke: install bench-deps
	$(VENV)/bin/python -m pytest tests/bench -m slow -q

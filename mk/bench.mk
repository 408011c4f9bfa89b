# Benchmarks (issue 5): included by the top-level Makefile.
#   make bench          full run (~10 min): results in bench/results/latest.{json,md,png},
#                       then docs/capacity.md regenerated from latest.json
#   make bench-quick    the same in under 2 minutes (BENCH_QUICK=1), results in bench/results/quick/
#   make bench-committed  `make bench` against the last commit's src/ (a `git archive` copy put
#                       first on PYTHONPATH), for a stable measurement while others edit the tree
#   make bench-ab A=REV the cached list of commit REV beside this tree's, one rig (bench/ab.py)
#   make bench-profile  py-spy profile of the cached list path -> bench/results/profile-cached.txt
# wrk comes from Debian (apt-get when missing); granian and py-spy are installed into .venv only
# for the comparison and the profile: they are NOT project dependencies and stay out of the locks.
BENCH_GRANIAN_VERSION ?= 2.8.9
BENCH_PYSPY_VERSION ?= 0.4.3
BENCH_ENV := PYTHONPATH=$(CURDIR)

BENCH_SNAPSHOT ?= /tmp/notestack-bench-src

.PHONY: bench-committed bench bench-quick bench-deps bench-profile bench-capacity bench-smoke bench-ab

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

bench-ab: install bench-deps
	@test -n "$(A)" || { echo "usage: make bench-ab A=<commit>" >&2; exit 2; }
	$(BENCH_ENV) $(VENV)/bin/python -m bench.ab $(A)

bench-capacity: install-python
	$(BENCH_ENV) $(VENV)/bin/python -m bench.capacity bench/results/latest.json docs/capacity.md

bench-profile: install bench-deps
	@$(VENV)/bin/python -c "import importlib.metadata as m, sys; \
		sys.exit(m.version('py-spy') != '$(BENCH_PYSPY_VERSION)')" 2>/dev/null \
		|| $(VENV)/bin/pip install --quiet --disable-pip-version-check py-spy==$(BENCH_PYSPY_VERSION)
	$(BENCH_ENV) $(VENV)/bin/python -m bench.profile

bench-smoke: install bench-deps
	$(VENV)/bin/python -m pytest tests/bench -m slow -q

bench-committed: install bench-deps
	rm -rf $(BENCH_SNAPSHOT) && mkdir -p $(BENCH_SNAPSHOT)
	git archive HEAD src | tar -x -C $(BENCH_SNAPSHOT)
	BENCH_SOURCE_COMMIT=$$(git rev-parse HEAD) PYTHONPATH=$(BENCH_SNAPSHOT)/src:$(CURDIR) \
		$(VENV)/bin/python -m bench.run; status=$$?; rm -rf $(BENCH_SNAPSHOT); exit $$status
	$(BENCH_ENV) $(VENV)/bin/python -m bench.capacity bench/results/latest.json docs/capacity.md

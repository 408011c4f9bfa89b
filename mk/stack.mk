# The production topology on one machine (issue 4). Included by the top-level Makefile.
#   make stack        nginx :$(STACK_PORT) -> app1..3 :8101-8103 -> PostgreSQL :5440 (+replica
#                     :5441), Redis :6390; data in data/stack/ (kept); Ctrl-C stops it all
#   make system-deps  apt-get install nginx, wrk, redis-server, postgresql when missing
#   make test-faults  the fault tests alone (~1-2 min; they start their own servers)

STACK_PORT ?= $(or $(NOTESTACK_STACK_PORT),8080)
STACK_ENV := PYTHONPATH=$(CURDIR)/deploy NOTESTACK_STACK_PORT=$(STACK_PORT)

.PHONY: stack system-deps test-faults

# Works before .venv exists: stack.system uses the standard library only.
system-deps:
	@PYTHONPATH=$(CURDIR)/deploy python3 -m stack system-deps

# exec: make's SIGTERM must reach honcho itself, not a shell between them.
stack: install system-deps
	exec env $(STACK_ENV) $(VENV)/bin/python -m stack up

test-faults: install system-deps
	$(VENV)/bin/python -m pytest tests/faults -m faults -rP $(PYTEST_ARGS)

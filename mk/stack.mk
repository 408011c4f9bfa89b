# The production topology on one machine (issues 4 and 9). Included by the top-level Makefile.
#   make stack         supervisord runs: etcd x3, Patroni x3 (PostgreSQL 15), HAProxy, Redis +
#                      replica + Sentinel x3, app1..3, nginx :$(STACK_PORT); data in data/stack/
#                      (kept); a process that exits is restarted; Ctrl-C stops it all
#   make stack-status  every process, the Patroni leader and sync standby, the Redis primary
#   make system-deps   apt-get install what is missing (nginx, wrk, redis-server, redis-sentinel,
#                      postgresql, patroni, etcd-server, etcd-client, haproxy)
#   make test-faults   the fault tests alone (~4 min; they run `make stack`'s launcher on
#                      free ports in a temporary directory)

STACK_PORT ?= $(or $(NOTESTACK_STACK_PORT),8080)
STACK_ENV := PYTHONPATH=$(CURDIR)/deploy NOTESTACK_STACK_PORT=$(STACK_PORT)

.PHONY: stack stack-status system-deps test-faults

# Works before .venv exists: stack.system uses the standard library only.
system-deps:
	@PYTHONPATH=$(CURDIR)/deploy python3 -m stack system-deps

# exec: make's SIGTERM must reach supervisord itself, not a shell between them.
stack: install system-deps
	exec env $(STACK_ENV) $(VENV)/bin/python -m stack up

stack-status: install-python
	@env $(STACK_ENV) $(VENV)/bin/python -m stack status

test-faults: install system-deps
	$(VENV)/bin/python -m pytest tests/faults -m faults -rP $(PYTEST_ARGS)

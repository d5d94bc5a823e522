# berth: `make`, `make check`, `make demo`, `make install PREFIX=...`,
# `make asan check` (the same tests against an ASan+UBSan build).

PREFIX ?= /usr/local
PKGS := libmnl libnftables jansson sqlite3

ifneq ($(filter asan,$(MAKECMDGOALS)),)
SAN := 1
endif

ifeq ($(SAN),1)
BUILD ?= build-asan
OPT := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
else
BUILD ?= build
OPT := -O2 -g
endif

CC ?= cc
CFLAGS_ALL := -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wmissing-prototypes \
	-Wno-missing-field-initializers -Iinclude -Isrc $(OPT) $(CFLAGS)
LDFLAGS_ALL := $(OPT) $(LDFLAGS)

# pkg-config runs only when something is compiled (after deps.sh installed it)
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS))
PKG_LIBS = $(shell pkg-config --libs $(PKGS))

LIB_SRC := $(wildcard src/core/*.c src/ipam/*.c src/driver/*.c src/fw/*.c src/nl/*.c src/store/*.c \
	src/runtime/*.c src/util/*.c)
CLI_SRC := src/main.c $(wildcard src/cli/*.c)
UNIT_SRC := $(wildcard tests/unit/test_*.c)
# Manual pages: docs/man/NAME.8.scd -> $(BUILD)/man/NAME.8 (scdoc)
MAN_SRC := $(wildcard docs/man/*.scd)
MAN_PAGES := $(MAN_SRC:docs/man/%.scd=$(BUILD)/man/%)

LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ := $(CLI_SRC:%.c=$(BUILD)/%.o)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/unit/%)

.PHONY: all asan check unit demo install clean deps bench

all: $(BUILD)/berth $(MAN_PAGES)

asan:
	@:

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(PKG_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/man/%: docs/man/%.scd
	@mkdir -p $(dir $@)
	scdoc <$< >$@.tmp && mv $@.tmp $@

$(BUILD)/libberth.a: $(LIB_OBJ)
	ar rcs $@ $^

$(BUILD)/berth: $(CLI_OBJ) $(BUILD)/libberth.a
	$(CC) $(LDFLAGS_ALL) -o $@ $(CLI_OBJ) $(BUILD)/libberth.a $(PKG_LIBS)

$(BUILD)/tests/unit/%: tests/unit/%.c $(BUILD)/libberth.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(PKG_CFLAGS) $(shell pkg-config --cflags cmocka) -o $@ $< $(filter %.o,$^) $(BUILD)/libberth.a \
		$(PKG_LIBS) $(shell pkg-config --libs cmocka) $(LDFLAGS_ALL)

# The CLI objects a unit test covers (they are not in libberth.a).
$(BUILD)/tests/unit/test_port_spec: $(BUILD)/src/cli/port_text.o

deps:
	@scripts/deps.sh

unit: $(UNIT_BIN)

# Unit tests and integration tests in one TAP run; each integration file
# runs in namespaces of its own (tests/tap-exec).
check: deps
	@$(MAKE) --no-print-directory all unit SAN=$(SAN)
	BERTH_BUILD_DIR=$(CURDIR)/$(BUILD) prove -j2 --exec tests/tap-exec $(UNIT_BIN) tests/integration/*.bats tests/nobrnf/*.bats

demo: deps
	@$(MAKE) --no-print-directory all
	@scripts/demo.sh $(CURDIR)/$(BUILD)/berth

bench: deps
	@$(MAKE) --no-print-directory all
	bench/run.sh $(CURDIR)/$(BUILD)/berth

install: $(BUILD)/berth $(MAN_PAGES)
	install -D -m 0755 $(BUILD)/berth $(DESTDIR)$(PREFIX)/bin/berth
	install -D -m 0644 $(BUILD)/libberth.a $(DESTDIR)$(PREFIX)/lib/libberth.a
	install -D -m 0644 include/berth.h $(DESTDIR)$(PREFIX)/include/berth.h
	install -d $(DESTDIR)$(PREFIX)/share/man/man8
	install -m 0644 $(MAN_PAGES) $(DESTDIR)$(PREFIX)/share/man/man8/
	install -D -m 0644 completion/berth.bash $(DESTDIR)$(PREFIX)/share/bash-completion/completions/berth

clean:
	rm -rf build build-asan

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d)

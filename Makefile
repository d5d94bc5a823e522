# berth: `make`, `make check`, `make demo`, `make install PREFIX=...`,
# `make asan check` (the same tests against an ASan+UBSan build),
# `make fuzz` (each libFuzzer target of tests/fuzz/ for FUZZ_SECONDS).

PREFIX ?= /usr/local
PKGS := libmnl libnftables jansson sqlite3 libcap libcares
# glibc's: DNS messages (src/dns/msg.c); dlopen (fw/nft_lib.c: in libc itself from glibc 2.34)
LIBS_EXTRA := -lresolv -ldl
VERSION := $(shell sed -n 's/^\#define BERTH_VERSION "\(.*\)"$$/\1/p' include/berth.h)
SONAME := libberth.so.$(firstword $(subst ., ,$(VERSION)))
SOLIB := libberth.so.$(VERSION)

ifneq ($(filter asan,$(MAKECMDGOALS)),)
SAN := 1
endif

# FUZZ=1 (set by `make fuzz` and `make check` for a sub-make of their
# own): libFuzzer needs every object built by clang with its coverage
# instrumentation, so these live in a BUILD of their own.
ifeq ($(FUZZ),1)
BUILD ?= build/fuzz
OPT := -O1 -g -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
else ifeq ($(SAN),1)
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
# libnftables is not linked: fw/nft_lib.c opens it on first use
PKG_LIBS = $(shell pkg-config --libs $(filter-out libnftables,$(PKGS))) $(LIBS_EXTRA)
# berth's own programs carry SQLite, jansson, libcap and c-ares inside them
# (their archives come with Debian's -dev packages): a CNI ADD or a `berth
# run` is a short process, and loading four more shared objects and
# resolving their symbols cost each one 0.4 ms, a tenth of a CNI ADD
# (bench/RESULTS.md). libberth.so links them shared. A distribution that
# wants them shared everywhere: make STATIC_DEPS=0.
STATIC_DEPS ?= 1
ifeq ($(STATIC_DEPS),1)
PROG_LIBS = $(shell pkg-config --libs libmnl) -Wl,-Bstatic $(shell pkg-config --libs sqlite3 jansson libcap libcares) \
	-Wl,-Bdynamic -lm $(LIBS_EXTRA)
else
PROG_LIBS = $(PKG_LIBS)
endif
PLUGIN_PKG_CFLAGS = $(shell pkg-config --cflags libmicrohttpd libcurl)
PLUGIN_PKG_LIBS = $(shell pkg-config --libs libmicrohttpd libcurl)

LIB_SRC := $(wildcard src/core/*.c src/ipam/*.c src/driver/*.c src/fw/*.c src/nl/*.c src/store/*.c \
	src/runtime/*.c src/util/*.c src/dns/*.c)
CLI_SRC := src/main.c $(wildcard src/cli/*.c src/cni/*.c)
# the Docker plugin's server, a binary of its own (its HTTP library's
# loading would cost every berth command 1.5 ms)
PLUGIN_SRC := $(wildcard src/plugin/*.c)
UNIT_SRC := $(wildcard tests/unit/test_*.c)
FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)
# Manual pages: docs/man/NAME.8.scd -> $(BUILD)/man/NAME.8 (scdoc)
MAN_SRC := $(wildcard docs/man/*.scd)
MAN_PAGES := $(MAN_SRC:docs/man/%.scd=$(BUILD)/man/%)

# `make` alone builds everything (the rules below would take the first
# object for the default goal)
.DEFAULT_GOAL := all

LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o)
# One set of objects for libberth.a and libberth.so, rebuilt when this file
# changes how they are made. Nothing can interpose on the internal functions
# (src/libberth.map hides them), nor should on the library's calls to its
# own API: the compiler keeps inlining and direct calls.
$(LIB_OBJ): CFLAGS_ALL += -fPIC -fno-semantic-interposition
$(LIB_OBJ): Makefile
CLI_OBJ := $(CLI_SRC:%.c=$(BUILD)/%.o)
PLUGIN_OBJ := $(PLUGIN_SRC:%.c=$(BUILD)/%.o)
# util/ holds helpers with no state of berth's (allocation, lists, JSON of
# key=value lists, protocol names); the CLI links them as well as the API.
UTIL_OBJ := $(filter $(BUILD)/src/util/%,$(LIB_OBJ))
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/unit/%)
# The fuzz build: clang, under this build's directory.
FUZZ_BUILD := $(BUILD)/fuzz
FUZZ_BIN := $(FUZZ_SRC:tests/fuzz/%.c=$(FUZZ_BUILD)/tests/fuzz/%)
FUZZ_SECONDS ?= 60
# what `make check` gives each target after its corpus
FUZZ_CHECK_SECONDS ?= 5
FUZZ_MAKE = $(MAKE) --no-print-directory FUZZ=1 CC=clang BUILD=$(FUZZ_BUILD) SAN= fuzz-targets

.PHONY: all asan check unit example crash demo install install-lib clean deps bench fuzz fuzz-targets

all: $(BUILD)/berth $(BUILD)/$(SOLIB) $(BUILD)/berth-on-so $(BUILD)/berth-plugin $(MAN_PAGES)

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

# Only the functions of berth.h leave the shared object (src/libberth.map).
$(BUILD)/$(SOLIB): $(LIB_OBJ) src/libberth.map
	$(CC) -shared -Wl,-soname,$(SONAME) -Wl,--version-script=src/libberth.map -Wl,--no-undefined \
		$(LDFLAGS_ALL) -o $@ $(LIB_OBJ) $(PKG_LIBS)
	ln -sf $(SOLIB) $(BUILD)/$(SONAME)

# The archive: berth starts faster with it than with the shared object.
$(BUILD)/berth: $(CLI_OBJ) $(BUILD)/libberth.a
	$(CC) $(LDFLAGS_ALL) -o $@ $(CLI_OBJ) $(BUILD)/libberth.a $(PROG_LIBS)

# The Docker plugin's server: berth.h and libmicrohttpd.
$(PLUGIN_OBJ): CFLAGS_ALL += $(PLUGIN_PKG_CFLAGS)
$(BUILD)/berth-plugin: $(PLUGIN_OBJ) $(BUILD)/libberth.a
	$(CC) $(LDFLAGS_ALL) -o $@ $(PLUGIN_OBJ) $(BUILD)/libberth.a $(PROG_LIBS) $(PLUGIN_PKG_LIBS)

# The same CLI against libberth.so, which exports berth.h alone: it links
# only while the CLI calls nothing but the public API (and util/).
$(BUILD)/berth-on-so: $(CLI_OBJ) $(UTIL_OBJ) $(BUILD)/$(SOLIB)
	$(CC) $(LDFLAGS_ALL) -o $@ $(CLI_OBJ) $(UTIL_OBJ) $(BUILD)/$(SOLIB) -Wl,-rpath,'$$ORIGIN' $(PKG_LIBS)

$(BUILD)/tests/unit/%: tests/unit/%.c $(BUILD)/libberth.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(PKG_CFLAGS) $(shell pkg-config --cflags cmocka) -DGOLDEN_DIR='"$(CURDIR)/tests/unit/golden"' \
		-o $@ $< $(filter %.o,$^) $(BUILD)/libberth.a \
		$(PKG_LIBS) $(shell pkg-config --libs cmocka) $(TEST_LIBS) $(LDFLAGS_ALL)

# The crash test's CLI (tests/integration/070-crash-points.bats): the
# product's objects, with tests/lib/crash_at.c's crash_point in place of
# util/crashpoint.c's empty one (the archive's copy is then not linked).
$(BUILD)/berth-crash: $(CLI_OBJ) $(BUILD)/tests/lib/crash_at.o $(BUILD)/libberth.a
	$(CC) $(LDFLAGS_ALL) -o $@ $(CLI_OBJ) $(BUILD)/tests/lib/crash_at.o $(BUILD)/libberth.a $(PROG_LIBS)

crash: $(BUILD)/berth-crash

# Tests read the resolver's replies back with ldns: a second reader of
# DNS messages, not the one that wrote them.
TEST_LIBS = $(shell pkg-config --libs ldns)

# The CLI objects a unit test covers (they are not in libberth.a).
$(BUILD)/tests/unit/test_port_spec: $(BUILD)/src/cli/port_text.o
$(BUILD)/tests/unit/test_text: $(BUILD)/src/cli/text.o

# A fuzz target: tests/fuzz/fuzz_NAME.c and libFuzzer's main (FUZZ=1 only).
$(BUILD)/tests/fuzz/%: tests/fuzz/%.c tests/fuzz/fuzz.h $(BUILD)/libberth.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(PKG_CFLAGS) -fsanitize=fuzzer -o $@ $< $(filter %.o,$^) $(BUILD)/libberth.a \
		$(PKG_LIBS) $(TEST_LIBS) $(LDFLAGS_ALL)

$(BUILD)/tests/fuzz/fuzz_port_spec: $(BUILD)/src/cli/port_text.o
$(BUILD)/tests/fuzz/fuzz_cni_conf: $(BUILD)/src/cni/conf.o
$(BUILD)/tests/fuzz/fuzz_plugin_request: $(BUILD)/src/plugin/call.o $(BUILD)/src/plugin/held.o

fuzz-targets: $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/tests/fuzz/%)

deps:
	@scripts/deps.sh

unit: $(UNIT_BIN)

# examples/ are built as a program of someone else's would be: against the
# header, library and berth.pc installed into $(STAGE) (with DESTDIR), and
# with the build's sanitizers (an ASan library needs an ASan program).
STAGE := $(CURDIR)/$(BUILD)/stage

example: $(BUILD)/examples/netns-attach $(BUILD)/examples/ipam-pool $(BUILD)/examples/cnm-endpoint

# staged once for all the examples (make -j builds them side by side)
$(STAGE)/.staged: $(BUILD)/libberth.a $(BUILD)/$(SOLIB) include/berth.h berth.pc.in
	rm -rf $(STAGE)
	@$(MAKE) --no-print-directory install-lib DESTDIR=$(STAGE) PREFIX=/usr
	@touch $@

$(BUILD)/examples/%: examples/%.c examples/example_main.h $(STAGE)/.staged
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -Wall -Wextra -Werror -pedantic $(OPT) -o $@ $< \
		$$(PKG_CONFIG_PATH=$(STAGE)/usr/lib/pkgconfig PKG_CONFIG_SYSROOT_DIR=$(STAGE) pkg-config --cflags --libs berth)

# Unit tests, fuzz targets (their corpus and a few seconds' fuzzing, in
# tests/tap-exec) and integration tests in one TAP run; each integration
# file runs in namespaces of its own.
# The longest files first: prove -j2 starts them in this order, and one
# that starts last sets how long the whole run takes.
SLOW_TESTS := tests/integration/070-crash-networks.bats tests/integration/071-crash-containers.bats \
	tests/integration/090-dns.bats tests/integration/111-docker.bats tests/integration/034-exposure.bats
TESTS := $(SLOW_TESTS) $(filter-out $(SLOW_TESTS),$(wildcard tests/integration/*.bats)) \
	$(wildcard tests/nobrnf/*.bats)

check: deps
	@$(MAKE) --no-print-directory all unit example crash SAN=$(SAN)
	@$(FUZZ_MAKE)
	BERTH_BUILD_DIR=$(CURDIR)/$(BUILD) BERTH_FUZZ_SECONDS=$(FUZZ_CHECK_SECONDS) \
		prove -j2 --exec tests/tap-exec $(TESTS) $(UNIT_BIN) $(FUZZ_BIN)

# Each target for FUZZ_SECONDS, one after the other (one process: the
# machine is shared), growing a corpus of its own under $(FUZZ_BUILD); a
# crash of one does not stop the others.
fuzz: deps
	@$(FUZZ_MAKE)
	@rc=0; for t in $(FUZZ_BIN); do tests/fuzz/run "$$t" $(FUZZ_SECONDS) $(FUZZ_BUILD)/corpus || rc=1; done; exit $$rc

demo: deps
	@$(MAKE) --no-print-directory all
	@scripts/demo.sh $(CURDIR)/$(BUILD)/berth

bench: deps
	@$(MAKE) --no-print-directory all
	bench/run.sh $(CURDIR)/$(BUILD)/berth

# berth.pc is made here, where PREFIX is final.
install-lib: $(BUILD)/libberth.a $(BUILD)/$(SOLIB)
	install -D -m 0644 $(BUILD)/libberth.a $(DESTDIR)$(PREFIX)/lib/libberth.a
	install -D -m 0644 $(BUILD)/$(SOLIB) $(DESTDIR)$(PREFIX)/lib/$(SOLIB)
	ln -sf $(SOLIB) $(DESTDIR)$(PREFIX)/lib/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(PREFIX)/lib/libberth.so
	install -D -m 0644 include/berth.h $(DESTDIR)$(PREFIX)/include/berth.h
	install -d $(DESTDIR)$(PREFIX)/lib/pkgconfig
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(VERSION)|' berth.pc.in >$(DESTDIR)$(PREFIX)/lib/pkgconfig/berth.pc

install: install-lib $(BUILD)/berth $(BUILD)/berth-plugin $(MAN_PAGES)
	install -D -m 0755 $(BUILD)/berth $(DESTDIR)$(PREFIX)/bin/berth
	install -D -m 0755 $(BUILD)/berth-plugin $(DESTDIR)$(PREFIX)/libexec/berth/berth-plugin
	install -d $(DESTDIR)$(PREFIX)/share/man/man8
	install -m 0644 $(MAN_PAGES) $(DESTDIR)$(PREFIX)/share/man/man8/
	install -D -m 0644 completion/berth.bash $(DESTDIR)$(PREFIX)/share/bash-completion/completions/berth
	# the CNI plugin: the same binary, where runtimes look for plugins
	# (Podman's cni_plugin_dirs has $(PREFIX)/lib/cni); relative, so that
	# a staged DESTDIR tree links within itself
	install -d $(DESTDIR)$(PREFIX)/lib/cni
	ln -sf ../../bin/berth $(DESTDIR)$(PREFIX)/lib/cni/berth
	# the Docker plugin under systemd: socket activation (docs/docker.md)
	install -D -m 0644 contrib/systemd/berth-plugin.socket $(DESTDIR)$(PREFIX)/lib/systemd/system/berth-plugin.socket
	sed 's|@PREFIX@|$(PREFIX)|' contrib/systemd/berth-plugin.service >$(DESTDIR)$(PREFIX)/lib/systemd/system/berth-plugin.service

clean:
	rm -rf build build-asan

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(PLUGIN_OBJ:.o=.d)

# Makefile - build lp, its library and its tests
# SPDX-License-Identifier: MIT
#
#   make                 build ./lp (and build/release/liblp.a); installs the
#                        -dev packages first when missing (scripts/install-deps.sh --build)
#   make check           install missing dependencies, then the style check
#                        (make fmt-check), unit tests, CLI tests (real Docker
#                        engine, real S3 servers, real toolchains), the unit
#                        tests again under ASan+UBSan and a short fuzz run
#   make fuzz            every libFuzzer target in test/fuzz/ (clang, ASan+UBSan),
#                        FUZZ_SECONDS (default 60) each; make check runs each for
#                        FUZZ_CHECK_SECONDS (default 5) over its seed corpus
#   make install PREFIX=/usr/local DESTDIR=
#   make fmt             clang-format every C file (make fmt-check: only report)
#
# Sources are found by wildcard: a new lib/DOMAIN/foo.c, cmd/foo.c or
# test/test_foo.c needs no Makefile change (test suites are discovered, see
# test/check_lp.c). Header dependencies come from the compiler (-MMD -MP).

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
DATADIR ?= $(PREFIX)/share/lp
MANDIR ?= $(PREFIX)/share/man
DESTDIR ?=

CC ?= cc
PKG_CONFIG ?= pkg-config
PKGS = libgit2 libcurl libarchive json-c yaml-0.1 libcrypto libmicrohttpd expat
# Compiled against but loaded on first use (lib/core/lazy.h), so not linked:
# as DT_NEEDED they cost every command ~50 libraries and their inits.
LAZY_PKGS = libgit2 libcurl libarchive libmicrohttpd libcrypto

WARN = -Wall -Wextra -Wshadow -Wformat=2 -Wno-format-nonliteral -Wstrict-prototypes \
       -Wmissing-prototypes -Wno-missing-field-initializers
WERROR ?= -Werror
OPT ?= -O2 -g
PKG_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS = $(shell $(PKG_CONFIG) --libs $(filter-out $(LAZY_PKGS),$(PKGS)) 2>/dev/null)
# soname PKG,LIB: the soname of the lib<LIB>.so the -dev package PKG installs
# (read once per make run; lib/core/lazy_*.c fail to compile if one is empty)
soname = $(shell objdump -p "$$($(PKG_CONFIG) --variable=libdir $(1))/lib$(2).so" 2>/dev/null | \
	   sed -n 's/^ *SONAME *//p')
LAZY_SONAMES := -DLP_SONAME_CURL='"$(call soname,libcurl,curl)"' \
	       -DLP_SONAME_GIT2='"$(call soname,libgit2,git2)"' \
	       -DLP_SONAME_ARCHIVE='"$(call soname,libarchive,archive)"' \
	       -DLP_SONAME_MICROHTTPD='"$(call soname,libmicrohttpd,microhttpd)"' \
	       -DLP_SONAME_CRYPTO='"$(call soname,libcrypto,crypto)"'
CHECK_CFLAGS = $(shell $(PKG_CONFIG) --cflags check 2>/dev/null)
CHECK_LIBS = $(shell $(PKG_CONFIG) --libs check 2>/dev/null)

ALL_CFLAGS = -std=c11 -D_GNU_SOURCE -iquote . $(WARN) $(WERROR) $(OPT) \
	     -DLP_DATADIR_DEFAULT='"$(DATADIR)"' $(LAZY_SONAMES) $(PKG_CFLAGS) $(CFLAGS)
LIBS = $(PKG_LIBS) -ldl -lpthread -lm

LIB_SRCS := $(sort $(wildcard lib/*/*.c))
CMD_SRCS := $(sort $(wildcard cmd/*.c))
TEST_SRCS := $(sort $(wildcard test/test_*.c)) test/check_lp.c
HDRS := $(wildcard lib/*/*.h cmd/*.h test/*.h)

B = build/release
A = build/asan
LIB_OBJS = $(LIB_SRCS:%.c=$(B)/%.o)
CMD_OBJS = $(CMD_SRCS:%.c=$(B)/%.o)
TEST_OBJS = $(TEST_SRCS:%.c=$(B)/%.o)
ASAN_LIB_OBJS = $(LIB_SRCS:%.c=$(A)/%.o)
ASAN_TEST_OBJS = $(TEST_SRCS:%.c=$(A)/%.o)
ASAN_CMD_OBJS = $(CMD_SRCS:%.c=$(A)/%.o)
ASAN_FLAGS = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

.PHONY: all check check-run check-phases unit cli asan-check fuzz fuzz-check install fmt clean deps
.DEFAULT_GOAL := all

# Without the -dev packages the compiler would stop at the first #include:
# run scripts/install-deps.sh --build first (as root it installs them,
# otherwise it prints the apt command and stops), then build in a new make,
# which sees their pkg-config flags. `make lp` skips this check.
ifeq ($(shell $(PKG_CONFIG) --exists $(PKGS) check 2>/dev/null && echo ok),ok)
all: lp
else
all:
	@scripts/install-deps.sh --build
	@$(MAKE) --no-print-directory lp
endif

$(B)/liblp.a: $(LIB_OBJS)
	@rm -f $@
	@echo "  AR      $@"; $(AR) rcs $@ $^

lp: $(CMD_OBJS) $(B)/liblp.a
	@echo "  LINK    $@"; $(CC) $(ALL_CFLAGS) -o $@ $(CMD_OBJS) $(B)/liblp.a $(LIBS) $(LDFLAGS)

# Suites are found by name, not declared in a header.
$(B)/test/%.o $(A)/test/%.o: EXTRA_CFLAGS = -Wno-missing-prototypes

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(ALL_CFLAGS) $(CHECK_CFLAGS) $(EXTRA_CFLAGS) -MMD -MP -c -o $@ $<

$(A)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $< (asan)"
	@$(CC) $(ALL_CFLAGS) $(CHECK_CFLAGS) $(EXTRA_CFLAGS) $(ASAN_FLAGS) -O1 -MMD -MP -c -o $@ $<

# Every "Suite *NAME_suite(void)" in test/test_*.c becomes LP_SUITE(NAME).
test/suites.gen.h: $(filter test/test_%.c,$(TEST_SRCS))
	@sed -n 's/^Suite \*\([a-z0-9_]*\)_suite(void)$$/LP_SUITE(\1)/p' $^ > $@.tmp && mv $@.tmp $@

$(B)/test/check_lp.o $(A)/test/check_lp.o: test/suites.gen.h

# The unit tests link the library only; the commands are tested through the
# real binary (test/cli/).
test/check_lp: $(TEST_OBJS) $(B)/liblp.a
	@echo "  LINK    $@"; $(CC) $(ALL_CFLAGS) -o $@ $^ $(CHECK_LIBS) $(LIBS) $(LDFLAGS)

$(A)/liblp.a: $(ASAN_LIB_OBJS)
	@rm -f $@
	@echo "  AR      $@"; $(AR) rcs $@ $^

$(A)/check_lp: $(ASAN_TEST_OBJS) $(A)/liblp.a
	@echo "  LINK    $@"; $(CC) $(ALL_CFLAGS) $(ASAN_FLAGS) -o $@ $^ $(CHECK_LIBS) $(LIBS) $(LDFLAGS)

$(A)/lp: $(ASAN_CMD_OBJS) $(A)/liblp.a
	@echo "  LINK    $@"; $(CC) $(ALL_CFLAGS) $(ASAN_FLAGS) -o $@ $^ $(LIBS) $(LDFLAGS)

# make check: dependencies first (pkg-config above is evaluated per make run,
# so the real work happens in a second make once the -dev packages exist).
check: deps
	@$(MAKE) --no-print-directory check-run

deps:
	@scripts/install-deps.sh

# Build everything first, then run every phase inside one set of services.
check-run:
	@$(MAKE) --no-print-directory fmt-check
	@$(MAKE) --no-print-directory -j2 lp test/check_lp $(A)/check_lp $(FUZZ_BINS)
	@test/with-services.sh $(MAKE) --no-print-directory check-phases

check-phases:
	@echo "== unit tests ($$(date -u +%T))"
	@./test/check_lp
	@echo "== CLI tests ($$(date -u +%T))"
	@test/cli/run.sh
	@$(MAKE) --no-print-directory asan-check
	@$(MAKE) --no-print-directory fuzz-check

unit: lp test/check_lp
	test/with-services.sh ./test/check_lp

cli: lp
	test/cli/run.sh

asan-check: $(A)/check_lp
	@echo "== unit tests under ASan+UBSan ($$(date -u +%T))"
	@test/with-services.sh env ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
		LP_TEST_ASAN=1 $(A)/check_lp

# libFuzzer targets: test/fuzz/fuzz_NAME.c -> build/fuzz/fuzz_NAME, over lib/ built
# again with clang and the sanitizers (no -Werror: clang warns differently).
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_CHECK_SECONDS ?= 5
F = build/fuzz
FUZZ_SAN = -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
FUZZ_SRCS := $(sort $(wildcard test/fuzz/fuzz_*.c))
FUZZ_TARGETS := $(filter-out fuzz_util,$(FUZZ_SRCS:test/fuzz/%.c=%))
FUZZ_BINS := $(FUZZ_TARGETS:%=$(F)/%)
FUZZ_LIB_OBJS = $(LIB_SRCS:%.c=$(F)/%.o)

$(F)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $< (fuzz)"
	@$(FUZZ_CC) -std=c11 -D_GNU_SOURCE -iquote . $(WARN) -O1 -g \
		-DLP_DATADIR_DEFAULT='"$(DATADIR)"' $(LAZY_SONAMES) $(PKG_CFLAGS) $(CFLAGS) \
		$(FUZZ_SAN) -fsanitize=fuzzer-no-link -MMD -MP -c -o $@ $<

.SECONDARY: $(FUZZ_SRCS:%.c=$(F)/%.o)

$(F)/liblp.a: $(FUZZ_LIB_OBJS)
	@rm -f $@
	@echo "  AR      $@"; $(AR) rcs $@ $^

$(F)/fuzz_%: $(F)/test/fuzz/fuzz_%.o $(F)/test/fuzz/fuzz_util.o $(F)/liblp.a
	@echo "  LINK    $@"; $(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $^ $(LIBS) $(LDFLAGS)

# Long campaigns: make fuzz FUZZ_SECONDS=3600 (new inputs go to build/fuzz/corpus/NAME,
# crashes to build/fuzz/crashes/); test/fuzz/README.md says how to keep a find.
fuzz: $(FUZZ_BINS)
	@test/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_BINS)

fuzz-check: $(FUZZ_BINS)
	@echo "== fuzz targets ($(FUZZ_CHECK_SECONDS) s each over test/fuzz/corpus)"
	@test/fuzz/run.sh $(FUZZ_CHECK_SECONDS) $(FUZZ_BINS)

install: lp
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR) $(DESTDIR)$(MANDIR)/man1
	install -m 755 lp $(DESTDIR)$(BINDIR)/lp
	install -m 644 man/*.1 $(DESTDIR)$(MANDIR)/man1/
	cp -R templates libraries $(DESTDIR)$(DATADIR)/

# Every C file of the tree, generated ones aside: make fmt rewrites them,
# make check fails when one is not what clang-format (Debian's 14) makes of it.
FMT_FILES = $(filter-out test/suites.gen.h,$(sort $(wildcard lib/*/*.[ch] cmd/*.[ch] test/*.[ch] \
	    test/fuzz/*.[ch] test/runners/*/*.c bench/*.c templates/runners/*/src/*.[ch])))

fmt:
	clang-format -i $(FMT_FILES)

fmt-check:
	@echo "== clang-format"
	@bad=$$(clang-format --dry-run $(FMT_FILES) 2>&1 | sed -n 's/^\([^:]*\):[0-9]*:[0-9]*: warning: code should be clang-formatted.*/\1/p' | sort -u); \
	for f in $$bad; do echo "lp: $$f: not as clang-format writes it (run make fmt)"; done; \
	[ -z "$$bad" ]

clean:
	rm -rf build lp test/check_lp test/suites.gen.h

# Header dependencies written by the compiler next to each object.
-include $(wildcard $(B)/*/*.d $(B)/*/*/*.d $(A)/*/*.d $(A)/*/*/*.d $(F)/*/*/*.d)

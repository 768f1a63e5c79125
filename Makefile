# tickernet - build, test, install.
#
#   make            build every tool into $(B)/bin
#   make test       install missing Debian packages, build, run all tests
#   make asan       the same suite with ASan + UBSan (build-asan/)
#   make demo       run the main job on the embedded default data
#   make bench      benchmarks (timings live here, never in tests)
#   make install PREFIX=/usr/local DESTDIR=
#
# B is the build directory; two builds (e.g. gcc and clang, or two people)
# can share a tree with different B.

VERSION  = 0.1.0
B       ?= build
PREFIX  ?= /usr/local
BINDIR   = $(PREFIX)/bin
MANDIR   = $(PREFIX)/share/man

CC      ?= cc
OPT     ?= -O2 -g
WARN     = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wno-unused-parameter
STD      = -std=c11 -D_GNU_SOURCE
# C++ only where a library is C++ (common/numconv.cc): no exceptions, no
# RTTI, so nothing of libstdc++ is needed at run time.
CXX     ?= g++
CXXSTD   = -std=c++17 -D_GNU_SOURCE -fno-exceptions -fno-rtti \
           -ffunction-sections -fdata-sections
CXXWARN  = -Wall -Wextra -Werror -Wshadow -Wno-unused-parameter
SAN     ?=
ifeq ($(SAN),1)
SANFLAGS = -fsanitize=address,undefined -fno-sanitize-recover=undefined \
           -fno-omit-frame-pointer
endif

# Libraries: pkg-config where the package ships a .pc file (libcsv does
# not).  Recursive '=' so pkg-config runs after `make deps` installed it.
# OpenBLAS is Debian's serial build, named explicitly: single-threaded by
# construction (deterministic, no idle worker threads spinning beside the
# -j worker processes), found through its own pkg-config directory and an
# rpath, whatever libblas.so.3 or libopenblas.so.0 the alternatives system
# points at.
PKGS     = openblas hdf5 libcjson libcurl
MULTIARCH  = $(shell gcc -print-multiarch)
OPENBLAS_DIR = /usr/lib/$(MULTIARCH)/openblas-serial
PKG_ENV    = PKG_CONFIG_PATH=$(OPENBLAS_DIR)/pkgconfig
PKG_CFLAGS = $(shell $(PKG_ENV) pkg-config --cflags $(PKGS))
# HDF5 is linked statically: Debian's libhdf5_serial.so needs libcurl and
# libcrypto for its ROS3 (S3) driver, and with them some 30 more shared
# libraries (gnutls, krb5, ldap, ssh2, ...) that every tool would load at
# start, about 5 ms each time.  From libhdf5.a only the objects we call
# are taken, and they need only libsz and libz.
HDF5_LIBS  = $(shell pkg-config --libs-only-L hdf5) -Wl,-Bstatic -lhdf5 \
             -Wl,-Bdynamic -lsz -lz
PKG_LIBS   = $(shell $(PKG_ENV) pkg-config --libs $(filter-out hdf5,$(PKGS))) \
             $(HDF5_LIBS) -Wl,-rpath,$(OPENBLAS_DIR)

CFLAGS  ?=
LDFLAGS ?=
ALL_CFLAGS  = $(STD) $(OPT) $(WARN) $(SANFLAGS) -DTN_VERSION='"$(VERSION)"' \
              -iquote common $(PKG_CFLAGS) -MMD -MP $(CFLAGS)
ALL_LDFLAGS = $(SANFLAGS) -Wl,--as-needed $(NUMCONV_LDFLAGS) $(LDFLAGS)
# common/numconv.cc uses fmt (Dragonbox) and fast_float header-only and
# needs no C++ runtime: loading libstdc++.so would add about a millisecond
# to every tool's start.  --gc-sections drops the parts of fmt's header
# that would (format_error's vtable, never used); each .cc function gets
# a section of its own for that.  ASan registers every global, that
# vtable too, so a sanitised build links libstdc++ instead.
NUMCONV_LDFLAGS = -Wl,--gc-sections
NUMCONV_LIBS = $(if $(SANFLAGS),-lstdc++)
LDLIBS      = $(PKG_LIBS) -lcsv $(NUMCONV_LIBS) -lmvec -lm
ALL_CXXFLAGS = $(CXXSTD) $(OPT) $(CXXWARN) $(SANFLAGS) -iquote common -MMD -MP \
               $(CXXFLAGS)

TOOLS    = $(basename $(notdir $(wildcard tools/*.c)))
BINS     = $(addprefix $(B)/bin/,$(TOOLS))
COMMON   = $(wildcard common/*.c)
COMMON_CXX = $(wildcard common/*.cc)
OBJS     = $(patsubst common/%.c,$(B)/obj/%.o,$(COMMON)) \
           $(patsubst common/%.cc,$(B)/obj/%.o,$(COMMON_CXX))
OBJS_D   = $(patsubst common/%.c,$(B)/objd/%.o,$(COMMON)) \
           $(patsubst common/%.cc,$(B)/objd/%.o,$(COMMON_CXX))
LIB      = $(B)/libtickernet.a
LIB_D    = $(B)/libtickernet_d.a

# Unit tests: tests/unit/test_*.c link the float library; dbl_*.c link the
# double-precision build (gradient checks).  Drivers are small programs the
# bats suites call; shims are LD_PRELOAD libraries for fault injection.
UNIT_F   = $(patsubst tests/unit/%.c,$(B)/tests/%,$(wildcard tests/unit/test_*.c))
UNIT_D   = $(patsubst tests/unit/%.c,$(B)/tests/%,$(wildcard tests/unit/dbl_*.c))
DRIVERS  = $(patsubst tests/drivers/%.c,$(B)/tests/drivers/%,$(wildcard tests/drivers/*.c))
SHIMS    = $(patsubst tests/shims/%.c,$(B)/tests/shims/%.so,$(wildcard tests/shims/*.c))
MANPAGES = $(wildcard man/*.[1-8])
BENCHES  = $(patsubst bench/%.c,$(B)/bench/%,$(wildcard bench/*.c))

.PHONY: all lib tests test asan demo bench deps install uninstall clean check-man
.DEFAULT_GOAL := all

all: $(BINS)

lib: $(LIB) $(LIB_D)

$(B)/obj/%.o: common/%.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(B)/objd/%.o: common/%.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -DTN_REAL_DOUBLE -c -o $@ $<

$(B)/obj/%.o: common/%.cc
	@mkdir -p $(@D)
	$(CXX) $(ALL_CXXFLAGS) -c -o $@ $<

$(B)/objd/%.o: common/%.cc
	@mkdir -p $(@D)
	$(CXX) $(ALL_CXXFLAGS) -DTN_REAL_DOUBLE -c -o $@ $<

$(LIB): $(OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

$(LIB_D): $(OBJS_D)
	@rm -f $@
	$(AR) rcs $@ $^

$(B)/bin/%: tools/%.c $(LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(LIB) $(LDLIBS)

$(B)/tests/test_%: tests/unit/test_%.c $(LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Itests/unit $(ALL_LDFLAGS) -o $@ $< $(LIB) $(LDLIBS)

$(B)/tests/dbl_%: tests/unit/dbl_%.c $(LIB_D)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -DTN_REAL_DOUBLE -Itests/unit $(ALL_LDFLAGS) -o $@ $< $(LIB_D) $(LDLIBS)

$(B)/tests/drivers/%: tests/drivers/%.c $(LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(LIB) $(LDLIBS)

# Shims are never sanitised: they are preloaded into other processes.
$(B)/tests/shims/%.so: tests/shims/%.c
	@mkdir -p $(@D)
	$(CC) $(STD) $(OPT) $(WARN) -fPIC -shared -o $@ $< -ldl

tests: $(BINS) $(UNIT_F) $(UNIT_D) $(DRIVERS) $(SHIMS)

# The README's test command.  deps first (a fresh machine has nothing),
# then a build, then every suite; tests/run.sh prints the final count.
test: deps
	$(MAKE) tests
	TN_BUILD=$(B) tests/run.sh

asan: deps
	$(MAKE) B=build-asan SAN=1 tests
	TN_BUILD=build-asan ASAN_OPTIONS=detect_leaks=1:verify_asan_link_order=0:abort_on_error=0 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 tests/run.sh

demo: deps
	$(MAKE) all
	TN_BUILD=$(B) examples/demo.sh

bench: deps
	$(MAKE) all $(BENCHES)
	TN_BUILD=$(B) bench/run.sh

$(B)/bench/%: bench/%.c $(LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(LIB) $(LDLIBS)

deps:
	@sh tests/deps.sh

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
		$(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man7
	for t in $(TOOLS); do install -m 755 $(B)/bin/$$t $(DESTDIR)$(BINDIR)/$$t || exit 1; done
	for m in $(MANPAGES); do \
		s=$${m##*.}; install -m 644 $$m $(DESTDIR)$(MANDIR)/man$$s/ || exit 1; done

uninstall:
	for t in $(TOOLS); do rm -f $(DESTDIR)$(BINDIR)/$$t; done
	for m in $(MANPAGES); do rm -f $(DESTDIR)$(MANDIR)/man$${m##*.}/$${m##*/}; done

clean:
	rm -rf build build-asan build-clang

-include $(OBJS:.o=.d) $(OBJS_D:.o=.d)

# lbdns — GNU make. `make` builds, `make check` installs what is missing,
# builds with ASan+UBSan and runs every test, `make run` serves the example.
VERSION  := 0.1.0
PREFIX   ?= /usr/local
CC       ?= cc
TOOLS    := lbdns-serve lbdns-zone lbdns-probe lbdns-trace
DEB_PKGS := build-essential pkg-config libgetdns-dev libsodium-dev \
            libcurl4-openssl-dev libmaxminddb-dev bats bats-assert bats-support \
            bats-file bind9-dnsutils bind9-utils knot-dnsutils knot-dnssecutils \
            ldnsutils iproute2 cppcheck libssl-dev

WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
        -Wmissing-prototypes -Wpointer-arith -Wformat=2 -Wvla
ifeq ($(SAN),1)
B    ?= build/san
OPT  := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
        -fno-sanitize-recover=undefined
else
B    ?= build
OPT  := -O2 -g -D_FORTIFY_SOURCE=2
endif
override CFLAGS := -std=c11 -D_GNU_SOURCE -DLBDNS_VERSION='"$(VERSION)"' -I. \
        $(OPT) $(WARN) -fstack-protector-strong -fPIE -pthread $(CFLAGS)
override LDFLAGS := $(OPT) -pie -pthread -Wl,-z,relro,-z,now $(LDFLAGS)
# Each binary links only the libraries it uses.
LIBS_lbdns-serve := -lsodium -lmaxminddb
LIBS_lbdns-zone  := -lsodium
LIBS_lbdns-probe := -lgetdns -lcurl -lsodium
LIBS_lbdns-trace := -lgetdns -lsodium -lcrypto
LIBS_tests       := -lgetdns -lcurl -lsodium -lmaxminddb -lcrypto

COMMON_SRC := $(wildcard common/*.c)
COMMON_LIB := $(B)/libcommon.a
tool_objs   = $(patsubst %.c,$(B)/%.o,$(filter-out cmd/$(1)/main.c,$(wildcard cmd/$(1)/*.c)))
UNIT_SRC   := $(wildcard tests/unit/test_*.c)
UNIT_BIN   := $(patsubst tests/unit/%.c,$(B)/tests/%,$(UNIT_SRC))
TOOL_LIBS  := $(foreach t,$(TOOLS),$(B)/cmd/$(t)/lib.a)
FUZZ_NAMES := $(patsubst fuzz/fuzz_%.c,%,$(wildcard fuzz/fuzz_*.c))
FUZZ_REPLAY:= $(patsubst %,$(B)/fuzz/replay_%,$(FUZZ_NAMES))

all: $(addprefix $(B)/,$(TOOLS))

$(B)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(COMMON_LIB): $(patsubst %.c,$(B)/%.o,$(COMMON_SRC))
	@rm -f $@; $(AR) rcs $@ $^

# A tool's objects other than main.o go in an archive that unit tests link too.
define tool_rules
$(B)/cmd/$(1)/lib.a: $(call tool_objs,$(1))
	@mkdir -p $$(@D); rm -f $$@; $$(AR) rcs $$@ $$^ $(B)/.empty.o
$(B)/$(1): $(B)/cmd/$(1)/main.o $(B)/cmd/$(1)/lib.a $(COMMON_LIB)
	$$(CC) $$(LDFLAGS) -o $$@ $$^ $$(LIBS_$(1))
endef
$(foreach t,$(TOOLS),$(eval $(call tool_rules,$(t))))
$(TOOL_LIBS): $(B)/.empty.o
$(B)/.empty.o:
	@mkdir -p $(@D); echo 'typedef int lbdns_empty_unit;' | $(CC) -x c -c - -o $@

$(B)/tests/%: $(B)/tests/unit/%.o $(TOOL_LIBS) $(COMMON_LIB)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_tests)

tests: all $(UNIT_BIN) $(FUZZ_REPLAY)

# Fuzz targets: each fuzz/fuzz_NAME.c defines LLVMFuzzerTestOneInput. For
# `make check` it is linked with fuzz/replay.c, which replays the saved
# corpus fuzz/corpus/NAME/ (no clang needed); `make fuzz` builds real
# libFuzzer binaries with clang and runs each for FUZZ_SECONDS.
$(B)/fuzz/replay_%: $(B)/fuzz/fuzz_%.o $(B)/fuzz/replay.o $(TOOL_LIBS) $(COMMON_LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_tests)

FUZZ_SECONDS ?= 60
FUZZ_CFLAGS := -std=c11 -D_GNU_SOURCE -I. -g -O1 -fsanitize=fuzzer,address,undefined
fuzz:
	$(MAKE) B=build/fuzz CC=clang WARN='-Wall -Wextra' OPT='-g -O1 -fsanitize=fuzzer-no-link,address,undefined' all tests
	@for f in $(FUZZ_NAMES); do mkdir -p fuzz/corpus/$$f build/fuzz/new/$$f; \
	  clang $(FUZZ_CFLAGS) -o build/fuzz/fuzz_$$f build/fuzz/fuzz/fuzz_$$f.o \
	    $(TOOL_LIBS:$(B)/%=build/fuzz/%) build/fuzz/libcommon.a $(LIBS_tests) -pthread && \
	  build/fuzz/fuzz_$$f -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
	    build/fuzz/new/$$f fuzz/corpus/$$f || exit 1; done

deps:
	@missing=$$(for p in $(DEB_PKGS); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null \
	  | grep -q 'ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then echo "installing:" $$missing; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; fi

check: deps
	$(MAKE) SAN=1 tests
	tests/run build/san

run: deps all
	./examples/run.sh $(B)

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
	  $(DESTDIR)$(PREFIX)/share/man/man5 $(DESTDIR)$(PREFIX)/share/man/man7 \
	  $(DESTDIR)$(PREFIX)/share/man/man8
	install -m 755 $(addprefix $(B)/,$(TOOLS)) $(DESTDIR)$(PREFIX)/bin
	for m in man/*.[1-8]; do install -m 644 $$m \
	  $(DESTDIR)$(PREFIX)/share/man/man$${m##*.}; done

clean:
	rm -rf build

.PHONY: all tests deps check run install clean fuzz
.SECONDARY:
-include $(shell find build -name '*.d' 2>/dev/null)

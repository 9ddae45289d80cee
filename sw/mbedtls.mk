# Mbed TLS as a static library per board (build/mbedtls/<board>/), and the apps that link
# it: an app declares it with a file named `uses-mbedtls` in its folder (`uses-mbedtls-tests`
# adds Mbed TLS's test framework, for the generated test suites). Included by Makefile.

MBEDTLS_DIR   ?= $(abspath ../third_party/mbedtls-3.6.6)
MBEDTLS_BUILD ?= $(abspath ../build/mbedtls/$(BOARD))
MBEDTLS_LIB   := $(MBEDTLS_BUILD)/libmbedtls.a
MBEDTLS_TESTS_LIB := $(MBEDTLS_BUILD)/libmbedtests.a
AR := $(CROSS)ar

# What an app that uses Mbed TLS compiles with.
MBEDTLS_CPPFLAGS := -Imbedtls -I$(MBEDTLS_DIR)/include -DMBEDTLS_CONFIG_FILE='"tlscosim_mbedtls_config.h"'
MBEDTLS_TESTS_CPPFLAGS := $(MBEDTLS_CPPFLAGS) -I$(MBEDTLS_DIR)/tests/include \
    -I$(MBEDTLS_DIR)/framework/tests/include -I$(MBEDTLS_DIR)/library
# Third-party code: its own warnings are shown but do not fail the build.
MBEDTLS_LIB_CFLAGS := $(ARCH) -std=gnu11 -O2 -g -Wall -Wextra -ffunction-sections -fdata-sections \
    $(MBEDTLS_TESTS_CPPFLAGS) -Imbedtls/compat -Iboard -I$(GEN_DIR)

MBEDTLS_LIB_SRCS := $(wildcard $(MBEDTLS_DIR)/library/*.c)
MBEDTLS_LIB_OBJS := $(patsubst $(MBEDTLS_DIR)/%.c,$(MBEDTLS_BUILD)/%.o,$(MBEDTLS_LIB_SRCS)) \
    $(patsubst mbedtls/%.c,$(MBEDTLS_BUILD)/glue/%.o,$(wildcard mbedtls/*.c))
MBEDTLS_TESTS_SRCS := $(wildcard $(MBEDTLS_DIR)/framework/tests/src/*.c $(MBEDTLS_DIR)/framework/tests/src/drivers/*.c \
    $(MBEDTLS_DIR)/tests/src/*.c $(MBEDTLS_DIR)/tests/src/test_helpers/*.c)
MBEDTLS_TESTS_OBJS := $(patsubst $(MBEDTLS_DIR)/%.c,$(MBEDTLS_BUILD)/%.o,$(MBEDTLS_TESTS_SRCS))

MBEDTLS_FLAGS_FILE := $(MBEDTLS_BUILD)/compile-flags
MBEDTLS_FLAGS_TEXT := $(CC) $(MBEDTLS_LIB_CFLAGS) $(CFLAGS)
$(shell mkdir -p $(MBEDTLS_BUILD) && (echo '$(MBEDTLS_FLAGS_TEXT)' | cmp -s - $(MBEDTLS_FLAGS_FILE) \
    || echo '$(MBEDTLS_FLAGS_TEXT)' > $(MBEDTLS_FLAGS_FILE)))

$(MBEDTLS_BUILD)/%.o: $(MBEDTLS_DIR)/%.c $(MBEDTLS_FLAGS_FILE)
	@mkdir -p $(@D)
	@echo "  CC      mbedtls/$*.c"
	$(Q)$(CC) $(MBEDTLS_LIB_CFLAGS) $(DEPFLAGS) -c $< -o $@

# Our glue (the TRNG entropy source) is project code: project warnings, -Werror.
$(MBEDTLS_BUILD)/glue/%.o: mbedtls/%.c $(MBEDTLS_FLAGS_FILE)
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(CFLAGS) $(MBEDTLS_CPPFLAGS) $(DEPFLAGS) -c $< -o $@

# The archive, and its footprint before the linker drops what an app does not use.
define archive
	@echo "  AR      $@"
	$(Q)rm -f $@ && $(AR) rcs $@ $^
	$(Q)$(SIZE) -t $@ | awk 'END { printf "  SIZE    $(@F): text %d, data %d, bss %d bytes (all objects, before --gc-sections)\n", $$1, $$2, $$3 }'
endef
$(MBEDTLS_LIB): $(MBEDTLS_LIB_OBJS)
	$(archive)
$(MBEDTLS_TESTS_LIB): $(MBEDTLS_TESTS_OBJS)
	$(archive)

uses = $(foreach a,$(APPS),$(if $(wildcard $(APPS_DIR)/$(a)/uses-$(1)),$(a)))
MBEDTLS_APPS := $(call uses,mbedtls)
MBEDTLS_TESTS_APPS := $(call uses,mbedtls-tests)

$(foreach a,$(MBEDTLS_APPS),\
    $(eval $(OBJ_DIR)/apps/$(a)/%.o: CFLAGS += $(MBEDTLS_CPPFLAGS))\
    $(eval $(OUT_DIR)/$(a).elf: $(MBEDTLS_LIB))\
    $(eval $(OUT_DIR)/$(a).elf: LDLIBS := -Wl,--start-group $(MBEDTLS_LIB) -lc -lgcc -Wl,--end-group))
$(foreach a,$(MBEDTLS_TESTS_APPS),\
    $(eval $(OBJ_DIR)/apps/$(a)/%.o: CFLAGS += $(MBEDTLS_TESTS_CPPFLAGS) -Wno-unused-parameter -Wno-unused-function)\
    $(eval $(OUT_DIR)/$(a).elf: $(MBEDTLS_LIB) $(MBEDTLS_TESTS_LIB))\
    $(eval $(OUT_DIR)/$(a).elf: LDLIBS := -Wl,--start-group $(MBEDTLS_TESTS_LIB) $(MBEDTLS_LIB) -lc -lgcc -Wl,--end-group))

-include $(shell find $(MBEDTLS_BUILD) -name '*.d' 2>/dev/null)

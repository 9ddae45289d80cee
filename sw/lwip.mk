# lwIP 2.2.1 with the board's port (lwip/) and the LAN9118 driver (drivers/), as one static
# library per board (build/lwip/<board>/libnet.a), and the apps that link it: an app
# declares it with a file named `uses-lwip` in its folder. Included by Makefile.
# lwIP itself comes from third_party/ (fetched by the setup, never committed).

LWIP_DIR   ?= $(abspath ../third_party/lwip-2.2.1)
LWIP_BUILD ?= $(abspath ../build/lwip/$(BOARD))
LWIP_LIB   := $(LWIP_BUILD)/libnet.a

# What an app that uses lwIP compiles with.
LWIP_CPPFLAGS := -Ilwip -Idrivers -I$(LWIP_DIR)/src/include
# Third-party code: its own warnings are shown but do not fail the build.
LWIP_LIB_CFLAGS := $(ARCH) -std=gnu11 -O2 -g -Wall -ffunction-sections -fdata-sections \
    $(LWIP_CPPFLAGS) -Iboard -I$(GEN_DIR)

LWIP_SRCS := $(wildcard $(LWIP_DIR)/src/core/*.c $(LWIP_DIR)/src/core/ipv4/*.c) $(LWIP_DIR)/src/netif/ethernet.c
LWIP_OBJS := $(patsubst $(LWIP_DIR)/%.c,$(LWIP_BUILD)/%.o,$(LWIP_SRCS))
# The port and the driver are project code: project warnings, -Werror.
LWIP_PORT_OBJS := $(patsubst %.c,$(LWIP_BUILD)/port/%.o,$(wildcard lwip/*.c) drivers/lan9118.c)

LWIP_FLAGS_FILE := $(LWIP_BUILD)/compile-flags
LWIP_FLAGS_TEXT := $(CC) $(LWIP_LIB_CFLAGS) $(CFLAGS)
$(shell mkdir -p $(LWIP_BUILD) && (echo '$(LWIP_FLAGS_TEXT)' | cmp -s - $(LWIP_FLAGS_FILE) \
    || echo '$(LWIP_FLAGS_TEXT)' > $(LWIP_FLAGS_FILE)))

$(LWIP_DIR)/src/core/init.c:
	@echo "lwIP is missing ($(LWIP_DIR)): run ./setup.sh, which fetches it" >&2; exit 1

$(LWIP_BUILD)/src/%.o: $(LWIP_DIR)/src/%.c $(LWIP_FLAGS_FILE)
	@mkdir -p $(@D)
	@echo "  CC      lwip/src/$*.c"
	$(Q)$(CC) $(LWIP_LIB_CFLAGS) $(DEPFLAGS) -c $< -o $@

$(LWIP_BUILD)/port/%.o: %.c $(LWIP_FLAGS_FILE)
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(CFLAGS) $(LWIP_CPPFLAGS) $(DEPFLAGS) -c $< -o $@

$(LWIP_LIB): $(LWIP_OBJS) $(LWIP_PORT_OBJS)
	@echo "  AR      $@"
	$(Q)rm -f $@ && $(CROSS)ar rcs $@ $^

LWIP_APPS := $(foreach a,$(APPS),$(if $(wildcard $(APPS_DIR)/$(a)/uses-lwip),$(a)))

# `+=` so that an app using Mbed TLS as well keeps its libraries (mbedtls.mk sets LDLIBS
# first); the second group repeats libc for lwIP's references to it.
$(foreach a,$(LWIP_APPS),\
    $(eval $(OBJ_DIR)/apps/$(a)/%.o: CFLAGS += $(LWIP_CPPFLAGS))\
    $(eval $(OUT_DIR)/$(a).elf: $(LWIP_LIB))\
    $(eval $(OUT_DIR)/$(a).elf: LDLIBS += -Wl,--start-group $(LWIP_LIB) -lc -lgcc -Wl,--end-group))

-include $(shell find $(LWIP_BUILD) -name '*.d' 2>/dev/null)

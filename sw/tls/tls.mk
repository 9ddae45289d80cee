# The firmware TLS library (tls/*.c: arguments, lwIP TCP and UDP BIOs, events, handshake
# stepping, memory figures), for the apps that declare it with a file named `uses-tls` in
# their folder (they use lwIP and the accelerated Mbed TLS too: uses-lwip,
# uses-mbedtls-accel). Included by Makefile after the Mbed TLS and lwIP fragments.
# The library is compiled into each such app with that app's flags: Mbed TLS's
# configuration (accelerated or not) decides the layout of its contexts.

TLS_LIB_SRCS := $(wildcard tls/*.c)
# tls_peek.c reads Mbed TLS's internal handshake parameters (library/ssl_misc.h).
TLS_CPPFLAGS := -Itls -I$(MBEDTLS_DIR)/library

define tls_app
$(1)_TLS_OBJS := $(patsubst tls/%.c,$(OBJ_DIR)/apps/$(1)/tls-lib/%.o,$(TLS_LIB_SRCS))
$(OBJ_DIR)/apps/$(1)/tls-lib/%.o: tls/%.c $(FLAGS_FILE)
	$$(compile)
$(OBJ_DIR)/apps/$(1)/%.o: CFLAGS += $(TLS_CPPFLAGS)
$(OUT_DIR)/$(1).elf: $$($(1)_TLS_OBJS)
$(1)_OBJS += $$($(1)_TLS_OBJS)
endef
$(foreach a,$(call uses,tls),$(eval $(call tls_app,$(a))))

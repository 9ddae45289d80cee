# Mbed TLS on the accelerators: two more libraries per board, made from the plain one
# (mbedtls.mk) by replacing its AES and SHA-256 objects. Included by Makefile after
# mbedtls.mk. An app links one of them by a file in its folder:
#   uses-mbedtls-accel       accelerators, with Mbed TLS's software where they are
#                            absent (ID 0, as under QEMU): libmbedtls-accel.a
#   uses-mbedtls-accel-only  accelerators only, no software block code linked at all
#                            (a symbol check proves it): libmbedtls-accel-only.a
# (with `uses-mbedtls-tests` too, Mbed TLS's test framework is linked as well: the test
# suites on the accelerators).
# Only aes.c and sha256.c read the ALT macros, so only they are compiled again (with
# accel_alt_config.h as MBEDTLS_USER_CONFIG_FILE); the software fallback is the plain
# build's aes.o/sha256.o with its block functions renamed tlscosim_sw_* and every other
# global symbol made local (objcopy), so that it links next to the ALT objects.

ACCEL_BUILD    := $(MBEDTLS_BUILD)/accel
ACCEL_LIB      := $(MBEDTLS_BUILD)/libmbedtls-accel.a
ACCEL_ONLY_LIB := $(MBEDTLS_BUILD)/libmbedtls-accel-only.a
ACCEL_CPPFLAGS := $(MBEDTLS_CPPFLAGS) -DMBEDTLS_USER_CONFIG_FILE='"accel_alt_config.h"'
OBJCOPY        := $(CROSS)objcopy

ACCEL_SW_AES_SYMBOLS := mbedtls_aes_setkey_enc mbedtls_aes_setkey_dec \
    mbedtls_internal_aes_encrypt mbedtls_internal_aes_decrypt
ACCEL_SW_SHA256_SYMBOLS := mbedtls_internal_sha256_process
# GCM: MBEDTLS_GCM_ALT replaces the whole API (sw/mbedtls/gcm_alt.c), and its context
# is another type, so the library files that embed an mbedtls_gcm_context (the cipher
# layer's allocation, PSA's AEAD operation) are compiled again with it too.
ACCEL_SW_GCM_SYMBOLS := mbedtls_gcm_init mbedtls_gcm_setkey mbedtls_gcm_starts mbedtls_gcm_update_ad \
    mbedtls_gcm_update mbedtls_gcm_finish mbedtls_gcm_free
ACCEL_GCM_ALT_OBJS := $(patsubst %,$(ACCEL_BUILD)/alt/%.o,gcm cipher cipher_wrap psa_crypto psa_crypto_aead)
sw_name = $(patsubst mbedtls_%,tlscosim_sw_%,$(1))
# objcopy arguments: rename each block function, keep only the renamed ones global.
sw_renames = $(foreach s,$(1),--redefine-sym $(s)=$(call sw_name,$(s)) --keep-global-symbol $(call sw_name,$(s)))

$(ACCEL_BUILD)/alt/%.o: $(MBEDTLS_DIR)/library/%.c $(MBEDTLS_FLAGS_FILE) mbedtls/accel_alt_config.h
	@mkdir -p $(@D)
	@echo "  CC      mbedtls/library/$*.c (ALT)"
	$(Q)$(CC) $(MBEDTLS_LIB_CFLAGS) -DMBEDTLS_USER_CONFIG_FILE='"accel_alt_config.h"' $(DEPFLAGS) -c $< -o $@

$(ACCEL_BUILD)/glue/accel_alt.o: mbedtls/accel_alt.c $(MBEDTLS_FLAGS_FILE) mbedtls/accel_alt_config.h
	@mkdir -p $(@D)
	@echo "  CC      $< (ALT)"
	$(Q)$(CC) $(CFLAGS) $(ACCEL_CPPFLAGS) $(DEPFLAGS) -c $< -o $@

$(ACCEL_BUILD)/glue-only/accel_alt.o: mbedtls/accel_alt.c $(MBEDTLS_FLAGS_FILE) mbedtls/accel_alt_config.h
	@mkdir -p $(@D)
	@echo "  CC      $< (ALT, hardware only)"
	$(Q)$(CC) $(CFLAGS) $(ACCEL_CPPFLAGS) -DTLSCOSIM_ACCEL_ONLY $(DEPFLAGS) -c $< -o $@

$(ACCEL_BUILD)/sw/aes_sw.o: $(MBEDTLS_LIB)
	@mkdir -p $(@D)
	$(Q)$(OBJCOPY) $(call sw_renames,$(ACCEL_SW_AES_SYMBOLS)) $(MBEDTLS_BUILD)/library/aes.o $@

$(ACCEL_BUILD)/sw/sha256_sw.o: $(MBEDTLS_LIB)
	@mkdir -p $(@D)
	$(Q)$(OBJCOPY) $(call sw_renames,$(ACCEL_SW_SHA256_SYMBOLS)) $(MBEDTLS_BUILD)/library/sha256.o $@

$(ACCEL_BUILD)/sw/gcm_sw.o: $(MBEDTLS_LIB)
	@mkdir -p $(@D)
	$(Q)$(OBJCOPY) $(call sw_renames,$(ACCEL_SW_GCM_SYMBOLS)) $(MBEDTLS_BUILD)/library/gcm.o $@

$(ACCEL_BUILD)/glue/gcm_alt.o: mbedtls/gcm_alt.c mbedtls/gcm_alt.h $(MBEDTLS_FLAGS_FILE) mbedtls/accel_alt_config.h
	@mkdir -p $(@D)
	@echo "  CC      $< (ALT)"
	$(Q)$(CC) $(CFLAGS) $(ACCEL_CPPFLAGS) $(DEPFLAGS) -c $< -o $@

$(ACCEL_BUILD)/glue-only/gcm_alt.o: mbedtls/gcm_alt.c mbedtls/gcm_alt.h $(MBEDTLS_FLAGS_FILE) mbedtls/accel_alt_config.h
	@mkdir -p $(@D)
	@echo "  CC      $< (ALT, hardware only)"
	$(Q)$(CC) $(CFLAGS) $(ACCEL_CPPFLAGS) -DTLSCOSIM_ACCEL_ONLY $(DEPFLAGS) -c $< -o $@

# The plain archive with its aes.o, sha256.o and (empty) accel_alt.o members replaced.
define accel_archive
	@echo "  AR      $@"
	$(Q)cp $(MBEDTLS_LIB) $@.tmp && $(AR) rs $@.tmp $(filter-out $(MBEDTLS_LIB),$^) && mv $@.tmp $@
endef
$(ACCEL_LIB): $(MBEDTLS_LIB) $(ACCEL_BUILD)/alt/aes.o $(ACCEL_BUILD)/alt/sha256.o $(ACCEL_BUILD)/glue/accel_alt.o \
        $(ACCEL_BUILD)/sw/aes_sw.o $(ACCEL_BUILD)/sw/sha256_sw.o \
        $(ACCEL_GCM_ALT_OBJS) $(ACCEL_BUILD)/glue/gcm_alt.o $(ACCEL_BUILD)/sw/gcm_sw.o
	$(accel_archive)
$(ACCEL_ONLY_LIB): $(MBEDTLS_LIB) $(ACCEL_BUILD)/alt/aes.o $(ACCEL_BUILD)/alt/sha256.o $(ACCEL_BUILD)/glue-only/accel_alt.o \
        $(ACCEL_GCM_ALT_OBJS) $(ACCEL_BUILD)/glue-only/gcm_alt.o
	$(accel_archive)

define accel_app
$(eval $(OBJ_DIR)/apps/$(1)/%.o: CFLAGS += $(ACCEL_CPPFLAGS))
$(eval $(OUT_DIR)/$(1).elf: $(2))
$(eval $(OUT_DIR)/$(1).elf: LDLIBS := -Wl,--start-group $(if $(filter $(1),$(MBEDTLS_TESTS_APPS)),$(MBEDTLS_TESTS_LIB)) \
    $(2) -lc -lgcc -Wl,--end-group)
endef
$(foreach a,$(call uses,mbedtls-accel),$(call accel_app,$(a),$(ACCEL_LIB)))
$(foreach a,$(call uses,mbedtls-accel-only),$(call accel_app,$(a),$(ACCEL_ONLY_LIB)))

-include $(shell find $(ACCEL_BUILD) -name '*.d' 2>/dev/null)

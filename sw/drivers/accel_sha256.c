/* SHA-256 accelerator driver (the block itself is inline in accel_sha256.h).
 *
 * Blocks start by CTRL.AUTOSTART (the write of BLOCK[15] starts one); CTRL is written
 * only when the mode changes (`armed`). */
#include "accel_sha256.h"

/* CTRL as this driver last wrote it (START reads back 0; 0 = not armed yet). */
static uint32_t armed;

bool accel_sha256_present(void)
{
    return mmio_read32(CSR_SHA256_ID_ADDR) == CSR_SHA256_ID_RESET;
}

static void arm(uint32_t ctrl)
{
    ctrl |= CSR_SHA256_CTRL_AUTOSTART_MASK;
    if (ctrl != armed) {
        mmio_write32(CSR_SHA256_CTRL_ADDR, ctrl);
        armed = ctrl;
    }
}

void accel_sha256_arm(void)
{
    arm(0u);
}

int accel_sha256_block(uint32_t state[ACCEL_SHA256_STATE_WORDS], const uint8_t block[ACCEL_SHA256_BLOCK_BYTES])
{
    arm(0u);
    return accel_sha256_run_armed(state, block);
}

int accel_sha256_first_block(uint32_t state[ACCEL_SHA256_STATE_WORDS], const uint8_t block[ACCEL_SHA256_BLOCK_BYTES],
                             bool sha224)
{
    arm(CSR_SHA256_CTRL_INIT_MASK | (sha224 ? CSR_SHA256_CTRL_SHA224_MASK : 0u));
    return accel_sha256_compress_written(state, block);
}

uint32_t accel_sha256_blocks(void)
{
    return mmio_read32(CSR_SHA256_BLOCKS_ADDR);
}

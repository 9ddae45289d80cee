/* Mbed TLS's entropy source (MBEDTLS_ENTROPY_HARDWARE_ALT): the board's TRNG, whose
 * registers come from platform/peripherals/trng.toml through the generated board.h.
 *
 * A machine without the TRNG (QEMU's mps2-an386 reads its ID as 0) gets a deterministic
 * stand-in so that the same firmware runs there as a functional cross-check. It is not
 * entropy: firmware that needs real randomness checks tlscosim_trng_present(). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "board.h"
#include "entropy_hardware.h"
#include "mmio.h"

#define READY_POLL_LIMIT 1000000u

bool tlscosim_trng_present(void)
{
    return mmio_read32(CSR_TRNG_ID_ADDR) == CSR_TRNG_ID_RESET;
}

static int trng_word(uint32_t *word)
{
    for (uint32_t polls = 0; polls < READY_POLL_LIMIT; polls++) {
        if (mmio_read32(CSR_TRNG_STATUS_ADDR) & CSR_TRNG_STATUS_READY_MASK) {
            *word = mmio_read32(CSR_TRNG_DATA_ADDR);
            return 0;
        }
    }
    return -1; /* the source never became ready */
}

/* xorshift32: a fixed sequence, only for machines without the TRNG. */
static uint32_t stand_in_word(void)
{
    static uint32_t state = 0x2545F491u;
    state ^= state << 13;
    state ^= state >> 17;
    state ^= state << 5;
    return state;
}

int mbedtls_hardware_poll(void *data, unsigned char *output, size_t len, size_t *olen)
{
    (void)data;
    bool present = tlscosim_trng_present();
    if (present)
        mmio_write32(CSR_TRNG_CTRL_ADDR, CSR_TRNG_CTRL_ENABLE_MASK);
    size_t done = 0;
    while (done < len) {
        uint32_t word;
        if (present) {
            if (trng_word(&word) != 0)
                break;
        } else {
            word = stand_in_word();
        }
        size_t n = len - done < sizeof word ? len - done : sizeof word;
        memcpy(output + done, &word, n);
        done += n;
    }
    *olen = done;
    return done == len ? 0 : -1;
}

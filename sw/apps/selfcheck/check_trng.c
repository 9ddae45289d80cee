/* TRNG: present when its ID register reads the platform's ID; absent (0, as under QEMU)
 * is fine. When present, successive words must differ. */
#include "board.h"
#include "mmio.h"
#include "selfcheck.h"

#define WORDS 4u
#define READY_POLL_LIMIT 100000u

static bool read_word(uint32_t *word)
{
    for (uint32_t polls = 0; polls < READY_POLL_LIMIT; polls++) {
        if (mmio_read32(CSR_TRNG_STATUS_ADDR) & CSR_TRNG_STATUS_READY_MASK) {
            *word = mmio_read32(CSR_TRNG_DATA_ADDR);
            return true;
        }
    }
    return false;
}

bool check_trng(void)
{
    uint32_t id = mmio_read32(CSR_TRNG_ID_ADDR);
    if (id == 0)
        return true; /* no TRNG on this machine */
    CHECK(id == CSR_TRNG_ID_RESET);

    mmio_write32(CSR_TRNG_CTRL_ADDR, CSR_TRNG_CTRL_ENABLE_MASK);
    uint32_t words[WORDS];
    bool all_read = true;
    for (uint32_t i = 0; i < WORDS && all_read; i++)
        all_read = read_word(&words[i]);
    mmio_write32(CSR_TRNG_CTRL_ADDR, 0);
    CHECK(all_read);
    bool all_same = true;
    for (uint32_t i = 1; i < WORDS; i++)
        all_same = all_same && words[i] == words[0];
    CHECK(!all_same);
    return true;
}

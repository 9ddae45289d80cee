/* The core is the one the board declares: CPUID's part number and implementer match the
 * platform description's reset value (the revision may differ), and ICTR agrees with the
 * number of interrupt lines. */
#include "board.h"
#include "mmio.h"
#include "selfcheck.h"

bool check_core(void)
{
    uint32_t cpuid = mmio_read32(CSR_SCS_CPUID_ADDR);
    CHECK(FIELD_GET(CSR_SCS_CPUID_PARTNO, cpuid) == FIELD_GET(CSR_SCS_CPUID_PARTNO, CSR_SCS_CPUID_RESET));
    CHECK(FIELD_GET(CSR_SCS_CPUID_IMPLEMENTER, cpuid)
          == FIELD_GET(CSR_SCS_CPUID_IMPLEMENTER, CSR_SCS_CPUID_RESET));
    uint32_t groups = FIELD_GET(CSR_SCS_ICTR_INTLINESNUM, mmio_read32(CSR_SCS_ICTR_ADDR)) + 1u;
    CHECK(groups * 32u >= BOARD_NVIC_IRQ_LINES);
    CHECK((groups - 1u) * 32u < BOARD_NVIC_IRQ_LINES);
    return true;
}

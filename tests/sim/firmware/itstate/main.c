/* IT-block state across everything that can hook or stop the CPU mid-block (issue 7):
 * conditional loads from code memory (a wait-state flash on stm32f4-like), conditional
 * stores to RAM, conditional reads of device registers, conditional divides (timed by
 * instruction hooks), branches that end IT blocks and a table branch; in scenario "irq"
 * with SysTick interrupts arriving every few dozen cycles on top. Results go out over
 * semihosting (no UART polling, so the instruction stream does not depend on time). The
 * tests compare them with QEMU's and across boards, timing models and stop patterns. */
#include <stdio.h>
#include <stdint.h>

#include "semihosting.h"
#include "systick.h"
#include "../common/testfw.h"

DEFINE_TEST_SCENARIO("plain");

/* Data in the code memory: the loads below read it under IT conditions. */
static const uint8_t table[64] __attribute__((aligned(4))) = {
    0x11, 0x92, 0x23, 0xb4, 0x35, 0xd6, 0x47, 0xf8, 0x59, 0x0a, 0x6b, 0x1c, 0x7d, 0x2e, 0x8f, 0x30,
    0x91, 0x42, 0xa3, 0x54, 0xb5, 0x66, 0xc7, 0x78, 0xd9, 0x8a, 0xeb, 0x9c, 0xfd, 0xae, 0x0f, 0xc0,
    0x13, 0xe2, 0x25, 0xf4, 0x37, 0x06, 0x49, 0x18, 0x5b, 0x2a, 0x6d, 0x3c, 0x7f, 0x4e, 0x81, 0x50,
    0x93, 0x62, 0xa5, 0x74, 0xb7, 0x86, 0xc9, 0x98, 0xdb, 0xaa, 0xed, 0xbc, 0xff, 0xce, 0x01, 0xe0,
};
static uint32_t buffer[24];

uint32_t k_loads(const uint8_t *tab, uint32_t n, uint32_t seed);
uint32_t k_stores(uint32_t *buf, uint32_t n, uint32_t seed);
uint32_t k_device(volatile const uint32_t *cpuid, uint32_t n, uint32_t seed, volatile const uint32_t *aircr);
uint32_t k_divide(uint32_t n, uint32_t seed);

/* r2 = xorshift32(r2), clobbering r4. */
#define XORSHIFT "lsls r4, r2, #13\n eors r2, r4\n lsrs r4, r2, #17\n eors r2, r4\n lsls r4, r2, #5\n eors r2, r4\n"

__asm__(
    ".syntax unified\n .thumb\n .text\n"
    /* Conditional loads of every width from the table, each IT block followed by 16-bit
       flag-setting instructions and conditional branches that depend on their flags. */
    ".global k_loads\n .type k_loads, %function\n .thumb_func\n"
    "k_loads: push {r4-r7, lr}\n movs r3, #0\n"
    "1: " XORSHIFT
    "  and r5, r2, #60\n"
    "  lsls r6, r2, #31\n"          /* Z <- bit 0 clear, C <- bit 1 */
    "  itt ne\n ldrbne r7, [r0, r5]\n addne r3, r3, r7\n"
    "  bcc 2f\n"
    "  ldrh r7, [r0, r5]\n adds r3, r3, r7\n bmi 2f\n adds r3, #3\n"
    "2: tst r2, #4\n"
    "  ite eq\n ldreq r7, [r0, r5]\n ldrne r7, [r0, #4]\n"
    "  eors r3, r7\n"
    "  lsls r6, r2, #29\n"
    "  itete mi\n ldrshmi r7, [r0, r5]\n ldrsbpl r7, [r0, r5]\n addmi r3, r7\n subpl r3, r7\n"
    "  adds r3, r3, #1\n"
    "  subs r1, #1\n bne 1b\n"
    "  mov r0, r3\n pop {r4-r7, pc}\n"
    ".size k_loads, . - k_loads\n"

    /* Conditional stores of every width, and a store after a flag-setting add. */
    ".global k_stores\n .type k_stores, %function\n .thumb_func\n"
    "k_stores: push {r4-r7, lr}\n movs r3, #0\n"
    "1: " XORSHIFT
    "  and r5, r2, #60\n"
    "  lsls r6, r2, #31\n"
    "  itte ne\n strbne r2, [r0, r5]\n addne r5, #1\n strheq r2, [r0, r5]\n"
    "  ite cs\n strcs r2, [r0, #64]\n strcc r3, [r0, #68]\n"
    "  adds r3, r3, r2\n"
    "  it vs\n strvs r3, [r0, #72]\n"
    "  it mi\n strbmi r3, [r0, #76]\n"
    "  subs r1, #1\n bne 1b\n"
    "  mov r0, r3\n pop {r4-r7, pc}\n"
    ".size k_stores, . - k_stores\n"

    /* Conditional reads of constant System Control Block registers (CPUID, AIRCR), by words: narrower
       accesses to them are UNPREDICTABLE (ARMv7-M B3.2). */
    ".global k_device\n .type k_device, %function\n .thumb_func\n"
    "k_device: push {r4-r7, lr}\n mov r12, r3\n movs r3, #0\n"
    "1: " XORSHIFT
    "  lsls r6, r2, #31\n"
    "  ite ne\n ldrne r7, [r0]\n ldreq r7, [r12]\n"
    "  eors r3, r3, r7\n"
    "  it cs\n ldrcs r7, [r0]\n"
    "  adds r3, r3, r7\n"
    "  lsls r6, r2, #27\n"
    "  itt mi\n ldrmi r7, [r12]\n addmi r3, r3, r7\n"
    "  subs r1, #1\n bne 1b\n"
    "  mov r0, r3\n pop {r4-r7, pc}\n"
    ".size k_device, . - k_device\n"

    /* Conditional divides (zero divisors included) and an IT block ending in a branch. */
    ".global k_divide\n .type k_divide, %function\n .thumb_func\n"
    "k_divide: push {r4-r7, lr}\n movs r3, #0\n mov r2, r1\n mov r1, r0\n"
    "1: " XORSHIFT
    "  and r5, r2, #7\n"
    "  lsls r6, r2, #30\n"
    "  itet ne\n udivne r7, r2, r5\n sdiveq r7, r2, r5\n mlane r3, r7, r5, r3\n"
    "  adds r3, r3, r7\n"
    "  tst r2, #8\n"
    "  ite eq\n moveq r7, #5\n bne 2f\n"
    "  adds r3, r3, r7\n"
    "2: subs r1, #1\n bne 1b\n"
    "  mov r0, r3\n pop {r4-r7, pc}\n"
    ".size k_divide, . - k_divide\n");

/* A dense switch: gcc compiles it to a table branch (TBB). */
static __attribute__((noinline)) uint32_t dispatch(uint32_t op, uint32_t x)
{
    switch (op & 15) {
    case 0: return x + 1;
    case 1: return x ^ 0x5a5a5a5a;
    case 2: return x << 3;
    case 3: return x >> 5;
    case 4: return x * 7;
    case 5: return ~x;
    case 6: return x - 0x1234;
    case 7: return x | 0x80000001;
    case 8: return x & 0x0ff00ff0;
    case 9: return (x << 16) | (x >> 16);
    case 10: return x + (x >> 1);
    case 11: return x ? x - 1 : 0;
    default: return x;
    }
}

volatile uint32_t ticks, tick_work;   /* read by the tests after the run */

void SysTick_Handler(void)
{
    /* The interrupt does IT-block work of its own between the kernels' instructions. */
    tick_work = k_loads(table, 1, tick_work | 1);
    ticks++;
}


static void out(const char *name, uint32_t value)
{
    char line[48];
    snprintf(line, sizeof line, "%s=0x%08lx\n", name, (unsigned long)value);
    semihosting_write0(line);
}

int main(void)
{
    int irq = scenario_is("irq");
    if (irq) {
        systick_start(997, 1);   /* lands anywhere, IT blocks included; longer than the handler on every board */
    }
    out("loads", k_loads(table, 3000, 0x12345678));
    out("stores", k_stores(buffer, 3000, 0x9abcdef1));
    uint32_t sum = 0;
    for (unsigned i = 0; i < sizeof buffer / sizeof buffer[0]; i++)
        sum = sum * 31 + buffer[i];
    out("buffer", sum);
    out("device", k_device((volatile const uint32_t *)CSR_SCS_CPUID_ADDR, 2000, 0x0badf00d,
                           (volatile const uint32_t *)CSR_SCS_AIRCR_ADDR));
    out("divide", k_divide(3000, 0x31415926));
    uint32_t x = 0x27182818;
    for (uint32_t i = 0; i < 2000; i++)
        x = dispatch(x >> 7 ^ i, x);
    out("dispatch", x);
    if (irq)
        systick_stop();   /* `ticks` stays in memory for the tests (QEMU throttles short periods) */
    return 0;
}

/* The AES accelerator's window accessed in every form the CPU has: STM/LDM (with and
 * without writeback), STRD/LDRD, byte and halfword loads, register offsets, post- and
 * pre-indexed addressing, interleaved with stores to RAM in the same block. The window
 * served natively and by Python must give the same values, cycles and access log
 * (tests/accel/test_accel_native_window.py). */
#include <stdint.h>
#include <stdio.h>

#include "board.h"
#include "dwt.h"
#include "mmio.h"

static volatile uint32_t scratch[8];

static void print_words(const char *label, const uint32_t *w, unsigned n)
{
    printf("%s", label);
    for (unsigned i = 0; i < n; i++)
        printf(" %08lx", (unsigned long)w[i]);
    printf("\n");
}

/* Key words by STM, then CTRL (AUTOSTART, 128-bit, encrypt) by a register-offset store. */
static void load_key_and_arm(uint32_t seed)
{
    register uint32_t r4 __asm("r4") = seed;
    register uint32_t r5 __asm("r5") = seed * 3u;
    register uint32_t r6 __asm("r6") = seed ^ 0xA5A5A5A5u;
    register uint32_t r7 __asm("r7") = ~seed;
    uint32_t base = CSR_AES_BASE, ctrl_offset = CSR_AES_CTRL_OFFSET, ctrl = CSR_AES_CTRL_AUTOSTART_MASK;
    __asm volatile("stm %0, {%1, %2, %3, %4}" ::"r"(base + CSR_AES_KEY_OFFSET), "r"(r4), "r"(r5), "r"(r6), "r"(r7)
                   : "memory");
    __asm volatile("str %0, [%1, %2]" ::"r"(ctrl), "r"(base), "r"(ctrl_offset) : "memory");
}

/* DIN by two STRDs, with a RAM store between them (the last DIN word starts the block). */
static void write_input_strd(uint32_t a, uint32_t b, uint32_t c, uint32_t d)
{
    register uint32_t r2 __asm("r2") = a;
    register uint32_t r3 __asm("r3") = b;
    register uint32_t r4 __asm("r4") = c;
    register uint32_t r5 __asm("r5") = d;
    uint32_t din = CSR_AES_DIN_ADDR;
    __asm volatile("strd %1, %2, [%0]\n\t"
                   "str %1, [%5]\n\t"
                   "strd %3, %4, [%0, #8]" ::"r"(din), "r"(r2), "r"(r3), "r"(r4), "r"(r5), "r"(&scratch[0])
                   : "memory");
}

/* DIN by post-indexed word stores. */
static void write_input_post_indexed(const uint32_t *words)
{
    uint32_t p = CSR_AES_DIN_ADDR;
    for (unsigned i = 0; i < 4; i++)
        __asm volatile("str %1, [%0], #4" : "+r"(p) : "r"(words[i]) : "memory");
}

/* Polls STATUS.DONE with a byte load; returns the polls. */
static unsigned wait_done_bytewise(void)
{
    unsigned polls = 0;
    uint8_t status;
    do {
        __asm volatile("ldrb %0, [%1]" : "=r"(status) : "r"(CSR_AES_STATUS_ADDR) : "memory");
        polls++;
    } while (!(status & CSR_AES_STATUS_DONE_MASK));
    return polls;
}

/* DOUT by LDM with writeback. */
static void read_output_ldm(uint32_t out[4])
{
    register uint32_t r4 __asm("r4");
    register uint32_t r5 __asm("r5");
    register uint32_t r6 __asm("r6");
    register uint32_t r7 __asm("r7");
    uint32_t p = CSR_AES_DOUT_ADDR;
    __asm volatile("ldmia %0!, {%1, %2, %3, %4}" : "+r"(p), "=r"(r4), "=r"(r5), "=r"(r6), "=r"(r7) : : "memory");
    out[0] = r4, out[1] = r5, out[2] = r6, out[3] = r7;
    scratch[1] = p;
}

/* DOUT again by LDRD, pre-indexed halfword loads and a register-offset load. */
static void read_output_mixed(uint32_t out[4])
{
    uint32_t lo, hi, p = CSR_AES_DOUT_ADDR, offset = 12u;
    uint16_t h0, h1;
    __asm volatile("ldrd %0, %1, [%2]" : "=r"(lo), "=r"(hi) : "r"(p) : "memory");
    out[0] = lo, out[1] = hi;
    __asm volatile("ldrh %0, [%2, #8]!\n\t"
                   "ldrh %1, [%2, #2]" : "=r"(h0), "=r"(h1), "+r"(p) : : "memory");
    out[2] = (uint32_t)h0 | (uint32_t)h1 << 16;
    __asm volatile("ldr %0, [%1, %2]" : "=r"(out[3]) : "r"(CSR_AES_DOUT_ADDR), "r"(offset) : "memory");
}

int main(void)
{
    printf("accel_window on %s\n", BOARD_NAME);
    uint8_t id[4];
    for (unsigned i = 0; i < 4; i++)
        id[i] = *(volatile uint8_t *)(CSR_AES_ID_ADDR + i);
    printf("id bytes %02x %02x %02x %02x\n", id[0], id[1], id[2], id[3]);
    if (mmio_read32(CSR_AES_ID_ADDR) != CSR_AES_ID_RESET) {
        printf("aes absent\n");
        return 0;
    }
    dwt_cycle_counter_enable();
    uint32_t out[4], again[4];
    for (uint32_t round = 1; round <= 3; round++) {
        uint32_t started = dwt_cycles();
        load_key_and_arm(0x01234567u * round);
        write_input_strd(round, round << 8, round << 16, round << 24);
        unsigned polls = wait_done_bytewise();
        read_output_ldm(out);
        read_output_mixed(again);
        const uint32_t words[4] = {out[0], out[1], out[2], out[3]};
        write_input_post_indexed(words);
        polls += wait_done_bytewise();
        read_output_ldm(again);
        printf("round %lu polls %u cycles %lu\n", (unsigned long)round, polls,
               (unsigned long)(dwt_cycles() - started));
        print_words("  out", out, 4);
        print_words("  twice", again, 4);
    }
    printf("blocks %lu\n", (unsigned long)mmio_read32(CSR_AES_BLOCKS_ADDR));
    return 0;
}

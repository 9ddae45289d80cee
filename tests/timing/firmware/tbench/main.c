/* Runs every microbenchmark of sequences.c once per DWT counter and prints
 *     tb <name> <reps> <a> <b> <counter> <value>
 * on UART0, one line per measurement; tests/timing parses them. */
#include <stdio.h>

#include "board.h"
#include "cpu.h"
#include "mmio.h"
#include "nvic.h"
#include "tbench.h"

static uint32_t ram_buffer[64] __attribute__((aligned(8)));
static const uint32_t code_buffer[16] __attribute__((aligned(8))) = {
    0x01234567u, 0x89abcdefu, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
};
static uint32_t scratch[2];

struct counter {
    const char *name;
    uint32_t address;
};

static const struct counter counters[] = {
    {"CYCCNT", CSR_DWT_CYCCNT_ADDR},
    {"CPICNT", CSR_DWT_CPICNT_ADDR},
    {"LSUCNT", CSR_DWT_LSUCNT_ADDR},
    {"FOLDCNT", CSR_DWT_FOLDCNT_ADDR},
    {"EXCCNT", CSR_DWT_EXCCNT_ADDR},
};
#define COUNTERS (sizeof counters / sizeof counters[0])

/* Divide operands: (dividend, divisor), small and large quotients, signs, zero. */
static const uint32_t divide_cases[][2] = {
    {0, 7}, {6, 7}, {7, 7}, {100, 7}, {1000, 10}, {65535, 3}, {0x7fffffffu, 1},
    {0xffffffffu, 1}, {0xffffffffu, 0x10000u}, {0x80000000u, 0xffffffffu}, {(uint32_t)-100, 7},
    {12345678u, 0}, {0x40000000u, 0x3fffffffu},
};
#define DIVIDE_CASES (sizeof divide_cases / sizeof divide_cases[0])

static const uint32_t loop_counts[] = {1, 2, 8, 64};
#define LOOP_COUNTS (sizeof loop_counts / sizeof loop_counts[0])

/* Exception handlers that cost one instruction: the measured overhead is the core's. */
__attribute__((naked)) void BOARD_IRQ_SPARE_HANDLER(void) { __asm volatile("bx lr"); }
__attribute__((naked)) void PendSV_Handler(void) { __asm volatile("bx lr"); }

static void measure(const struct tb_entry *e, struct tb_env *env)
{
    for (unsigned i = 0; i < COUNTERS; i++) {
        env->counter = counters[i].address;
        uint32_t value = e->run(env);
        printf("tb %s %lu %lu %lu %s %lu\n", e->name, (unsigned long)e->reps, (unsigned long)env->a,
               (unsigned long)env->b, counters[i].name, (unsigned long)value);
    }
}

int main(void)
{
    mmio_set_bits(CSR_SCS_DEMCR_ADDR, CSR_SCS_DEMCR_TRCENA_MASK);
    mmio_write32(CSR_DWT_CTRL_ADDR, CSR_DWT_CTRL_CYCCNTENA_MASK | CSR_DWT_CTRL_CPIEVTENA_MASK
                                        | CSR_DWT_CTRL_LSUEVTENA_MASK | CSR_DWT_CTRL_FOLDEVTENA_MASK
                                        | CSR_DWT_CTRL_EXCEVTENA_MASK);
    nvic_enable(BOARD_IRQ_SPARE);

    struct tb_env env = {0, ram_buffer, code_buffer, 0, 0, 0, 0};
    for (const struct tb_entry *e = tb_table_start; e < tb_table_end; e++) {
        env.a = env.b = env.c = env.d = 0;
        switch (e->kind) {
        case TB_DIVIDE:
            for (unsigned i = 0; i < DIVIDE_CASES; i++) {
                env.a = divide_cases[i][0];
                env.b = divide_cases[i][1];
                measure(e, &env);
            }
            break;
        case TB_LOOP:
            for (unsigned i = 0; i < LOOP_COUNTS; i++) {
                env.a = loop_counts[i];
                measure(e, &env);
            }
            break;
        case TB_PEND:
            /* b = 0: the store goes to RAM (calibration); b = 1: it pends the spare line. */
            env.a = (uint32_t)&scratch[0];
            env.b = BOARD_IRQ_SPARE;
            measure(e, &env);
            env.a = CSR_SCS_STIR_ADDR;
            measure(e, &env);
            break;
        case TB_PEND2:
            env.a = (uint32_t)&scratch[0];
            env.b = BOARD_IRQ_SPARE;
            env.c = (uint32_t)&scratch[1];
            env.d = CSR_SCS_ICSR_PENDSVSET_MASK;
            measure(e, &env);
            env.a = CSR_SCS_STIR_ADDR;
            env.c = CSR_SCS_ICSR_ADDR;
            measure(e, &env);
            break;
        default:
            measure(e, &env);
        }
    }
    printf("tb done\n");
    return 0;
}

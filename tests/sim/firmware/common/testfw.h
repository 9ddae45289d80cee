/* Shared by the simulator's test firmware (tests/sim/firmware/<app>/): observations are
 * printed as `key=0x........` lines that the Python tests parse and judge, so the
 * firmware records what happened and the tests hold the expectations. */
#ifndef TESTFW_H
#define TESTFW_H

#include <stdint.h>
#include <stdio.h>

#include "board.h"
#include "cpu.h"
#include "mmio.h"
#include "nvic.h"

/* One observation, e.g. REPORT("svc.exc_return", lr) -> "svc.exc_return=0xfffffff9". */
static inline void REPORT(const char *key, uint32_t value)
{
    printf("%s=0x%08lx\n", key, (unsigned long)value);
}

/* The scenario a multi-scenario app runs: a NUL-terminated name that the test may
 * overwrite in the loaded image before the run (it lives in the code memory, which the
 * startup code does not copy). */
#define TEST_SCENARIO_SIZE 32u
#define DEFINE_TEST_SCENARIO(default_name)                                                 \
    __attribute__((section(".rodata.test_scenario"), used))                                \
    volatile const char test_scenario[TEST_SCENARIO_SIZE] = default_name

extern volatile const char test_scenario[TEST_SCENARIO_SIZE];

static inline int scenario_is(const char *name)
{
    for (uint32_t i = 0; i < TEST_SCENARIO_SIZE; i++) {
        if (test_scenario[i] != name[i])
            return 0;
        if (!name[i])
            return 1;
    }
    return 0;
}

/* A naked handler calling `c_function(frame, exc_return, msp_at_entry)`: the stacked
 * frame (from MSP or PSP as EXC_RETURN bit 2 says), the EXC_RETURN value and MSP. */
#define HANDLER_WITH_CONTEXT(name, c_function)                                 \
    __attribute__((naked)) void name(void)                                     \
    {                                                                          \
        __asm volatile("mov r1, lr\n\t"                                        \
                       "mrs r2, msp\n\t"                                       \
                       "tst r1, #4\n\t"                                        \
                       "ite eq\n\t"                                            \
                       "moveq r0, r2\n\t"                                      \
                       "mrsne r0, psp\n\t"                                     \
                       "b " #c_function "\n\t");                               \
    }

/* AIRCR writes are ignored without this key (ARMv7-M B3.2.6). */
#define AIRCR_VECTKEY_WRITE 0x05FAu

static inline void set_prigroup(uint32_t prigroup)
{
    mmio_write32(CSR_SCS_AIRCR_ADDR, FIELD_PREP(CSR_SCS_AIRCR_VECTKEY, AIRCR_VECTKEY_WRITE)
                                         | FIELD_PREP(CSR_SCS_AIRCR_PRIGROUP, prigroup));
}

static inline uint32_t read_control(void)
{
    uint32_t value;
    __asm volatile("mrs %0, control" : "=r"(value));
    return value;
}

static inline uint32_t read_ipsr(void)
{
    uint32_t value;
    __asm volatile("mrs %0, ipsr" : "=r"(value));
    return value;
}

static inline void set_basepri(uint32_t value)
{
    __asm volatile("msr basepri, %0\n\tisb" ::"r"(value) : "memory");
}

/* All DWT counters on and zeroed (TRCENA first: the DWT counts only with it). */
static inline void dwt_all_counters_on(void)
{
    mmio_set_bits(CSR_SCS_DEMCR_ADDR, CSR_SCS_DEMCR_TRCENA_MASK);
    mmio_write32(CSR_DWT_CYCCNT_ADDR, 0);
    mmio_write32(CSR_DWT_CTRL_ADDR, CSR_DWT_CTRL_CYCCNTENA_MASK | CSR_DWT_CTRL_CPIEVTENA_MASK
                                        | CSR_DWT_CTRL_EXCEVTENA_MASK | CSR_DWT_CTRL_SLEEPEVTENA_MASK
                                        | CSR_DWT_CTRL_LSUEVTENA_MASK | CSR_DWT_CTRL_FOLDEVTENA_MASK);
}

#endif /* TESTFW_H */

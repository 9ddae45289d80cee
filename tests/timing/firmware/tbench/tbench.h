/* The microbenchmark table shared by sequences.c (assembly) and main.c. */
#ifndef TBENCH_H
#define TBENCH_H

#include <stdint.h>

/* What a benchmark function gets (offsets are used by the assembly: keep the order). */
struct tb_env {
    uint32_t counter;     /* address of the DWT counter to read */
    uint32_t *ram;        /* a word-aligned buffer in the data memory */
    const uint32_t *code; /* a word-aligned buffer in the code memory */
    uint32_t a, b, c, d;  /* arguments (kinds below) */
};

/* Kinds of benchmark: which arguments main.c passes (plain numbers: the assembly uses them). */
#define TB_PLAIN 0  /* none */
#define TB_DIVIDE 1 /* a = dividend, b = divisor */
#define TB_LOOP 2   /* a = iterations */
#define TB_PEND 3   /* *a = b: pend an interrupt through NVIC_STIR (or write RAM) */
#define TB_PEND2 4  /* *a = b, *c = d with interrupts masked: two at once */

struct tb_entry {
    const char *name;
    uint32_t (*run)(const struct tb_env *env);
    uint32_t kind;
    uint32_t reps;
};

extern const struct tb_entry tb_table_start[], tb_table_end[];

#endif /* TBENCH_H */

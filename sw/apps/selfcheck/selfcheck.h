/* selfcheck: one function per feature of the board; each returns true when it passes.
 * Output must be the same under QEMU and tlscosim: checks print nothing that differs
 * between them (cycle counts, which optional devices exist). */
#ifndef SELFCHECK_H
#define SELFCHECK_H

#include <stdbool.h>

/* Fails the current check, naming the condition, when `cond` is false. */
#define CHECK(cond)                                          \
    do {                                                     \
        if (!(cond)) {                                       \
            check_failed(#cond, __FILE__, __LINE__);         \
            return false;                                    \
        }                                                    \
    } while (0)

void check_failed(const char *condition, const char *file, int line);

bool check_uart(void);
bool check_core(void);
bool check_printf(void);
bool check_division(void);
bool check_arith64(void);
bool check_heap(void);
bool check_systick(void);
bool check_irq_masking(void);
bool check_nested_irq(void);
bool check_usage_fault(void);
bool check_fault_escalation(void);
bool check_dwt(void);
bool check_trng(void);

/* Interrupt handlers call these when set (interrupts.c). */
extern void (*volatile systick_hook)(void);
extern void (*volatile spare_irq_hook)(void);

#endif /* SELFCHECK_H */

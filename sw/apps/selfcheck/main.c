/* Runs every check, prints "selfcheck: <name>: ok" (or FAIL) per check and exits with
 * the number of failed checks. */
#include <stdio.h>

#include "selfcheck.h"

static const struct {
    const char *name;
    bool (*run)(void);
} checks[] = {
    {"uart", check_uart},
    {"core", check_core},
    {"printf", check_printf},
    {"division", check_division},
    {"arith64", check_arith64},
    {"heap", check_heap},
    {"systick", check_systick},
    {"irq_masking", check_irq_masking},
    {"nested_irq", check_nested_irq},
    {"usage_fault", check_usage_fault},
    {"fault_escalation", check_fault_escalation},
    {"dwt", check_dwt},
    {"trng", check_trng},
};

void check_failed(const char *condition, const char *file, int line)
{
    printf("selfcheck: %s:%d: %s is false\n", file, line, condition);
}

int main(void)
{
    int count = (int)(sizeof checks / sizeof checks[0]);
    int failed = 0;
    for (int i = 0; i < count; i++) {
        bool ok = checks[i].run();
        failed += !ok;
        printf("selfcheck: %s: %s\n", checks[i].name, ok ? "ok" : "FAIL");
    }
    printf("selfcheck: %d checks, %d failed\n", count, failed);
    return failed;
}

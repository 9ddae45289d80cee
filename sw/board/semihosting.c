#include "semihosting.h"

uint32_t semihosting_call(uint32_t op, uintptr_t arg)
{
    register uint32_t r0 __asm("r0") = op;
    register uintptr_t r1 __asm("r1") = arg;
    __asm volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

void semihosting_write0(const char *s)
{
    semihosting_call(SYS_WRITE0, (uintptr_t)s);
}

void semihosting_exit(int status)
{
    if (status == 0) {
        /* The plain call every semihosting host knows. */
        semihosting_call(SYS_EXIT, ADP_STOPPED_APPLICATION_EXIT);
    } else {
        /* On AArch32 only the extended call carries a status other than 0 or 1. */
        static uint32_t block[2];
        block[0] = ADP_STOPPED_APPLICATION_EXIT;
        block[1] = (uint32_t)status;
        semihosting_call(SYS_EXIT_EXTENDED, (uintptr_t)block);
    }
    for (;;)
        ; /* no semihosting host: stop here */
}

int semihosting_argv(char *buf, size_t size, char **argv, int max_args)
{
    uint32_t block[2] = {(uint32_t)(uintptr_t)buf, (uint32_t)size};
    int argc = 0;
    if (size == 0 || semihosting_call(SYS_GET_CMDLINE, (uintptr_t)block) != 0)
        return 0;
    buf[size - 1] = '\0';
    for (char *p = buf; *p && argc < max_args - 1;) {
        while (*p == ' ')
            *p++ = '\0';
        if (!*p)
            break;
        argv[argc++] = p;
        while (*p && *p != ' ')
            p++;
    }
    argv[argc] = NULL;
    return argc;
}

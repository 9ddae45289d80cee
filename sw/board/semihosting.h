/* ARM semihosting (ARM "Semihosting for AArch32 and AArch64", v2): `bkpt 0xAB` with the
 * operation in r0 and its argument in r1. QEMU (-semihosting) and tlscosim serve it. */
#ifndef SEMIHOSTING_H
#define SEMIHOSTING_H

#include <stdint.h>

enum semihosting_op {
    SYS_WRITEC = 0x03,        /* r1 -> one character */
    SYS_WRITE0 = 0x04,        /* r1 -> NUL-terminated string */
    SYS_EXIT = 0x18,          /* r1 = reason: ApplicationExit means status 0, anything else 1 */
    SYS_EXIT_EXTENDED = 0x20, /* r1 -> {reason, status}: carries any status */
};

#define ADP_STOPPED_APPLICATION_EXIT 0x20026u

uint32_t semihosting_call(uint32_t op, uintptr_t arg);
void semihosting_write0(const char *s);
/* Ends the simulation with `status` as the host's exit code. */
__attribute__((noreturn)) void semihosting_exit(int status);

#endif /* SEMIHOSTING_H */

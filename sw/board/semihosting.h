/* ARM semihosting (ARM "Semihosting for AArch32 and AArch64", v2): `bkpt 0xAB` with the
 * operation in r0 and the address of its argument block in r1; the result comes back in
 * r0. QEMU (-semihosting) and tlscosim serve it. */
#ifndef SEMIHOSTING_H
#define SEMIHOSTING_H

#include <stddef.h>
#include <stdint.h>

enum semihosting_op {
    SYS_OPEN = 0x01,          /* {name, mode 0-11 (fopen's r rb r+ r+b w wb w+ w+b a ab a+ a+b), strlen(name)} -> handle or -1 */
    SYS_CLOSE = 0x02,         /* {handle} -> 0 or -1 */
    SYS_WRITEC = 0x03,        /* r1 -> one character */
    SYS_WRITE0 = 0x04,        /* r1 -> NUL-terminated string */
    SYS_WRITE = 0x05,         /* {handle, buffer, length} -> bytes NOT written */
    SYS_READ = 0x06,          /* {handle, buffer, length} -> bytes NOT read (length: end of file) */
    SYS_READC = 0x07,         /* -> a console character */
    SYS_ISERROR = 0x08,       /* {status} -> nonzero when status is an error */
    SYS_ISTTY = 0x09,         /* {handle} -> 1 console, 0 file, -1 error */
    SYS_SEEK = 0x0A,          /* {handle, absolute position} -> 0 or negative */
    SYS_FLEN = 0x0C,          /* {handle} -> length or -1 */
    SYS_TMPNAM = 0x0D,        /* {buffer, id 0-255, buffer length} -> 0 or -1 */
    SYS_REMOVE = 0x0E,        /* {name, strlen(name)} -> 0 or error */
    SYS_RENAME = 0x0F,        /* {old, strlen(old), new, strlen(new)} -> 0 or error */
    SYS_CLOCK = 0x10,         /* -> centiseconds since the start */
    SYS_TIME = 0x11,          /* -> seconds since 1970 */
    SYS_SYSTEM = 0x12,        /* {command, length} -> status (tlscosim refuses it) */
    SYS_ERRNO = 0x13,         /* -> errno of the last failed call */
    SYS_GET_CMDLINE = 0x15,   /* {buffer, size} -> 0 or -1; size becomes the length */
    SYS_HEAPINFO = 0x16,      /* {pointer to 4 words: heap base, heap limit, stack base, stack limit} */
    SYS_EXIT = 0x18,          /* r1 = reason: ApplicationExit means status 0, anything else 1 */
    SYS_EXIT_EXTENDED = 0x20, /* r1 -> {reason, status}: carries any status */
    SYS_ELAPSED = 0x30,       /* {pointer to a 64-bit tick count} -> 0 or -1 */
    SYS_TICKFREQ = 0x31,      /* -> ticks per second, or -1 */
};

#define ADP_STOPPED_APPLICATION_EXIT 0x20026u

uint32_t semihosting_call(uint32_t op, uintptr_t arg);
void semihosting_write0(const char *s);
/* Ends the simulation with `status` as the host's exit code. */
__attribute__((noreturn)) void semihosting_exit(int status);

/* The command line (SYS_GET_CMDLINE) split at spaces into argv (NULL-terminated) within
 * buf; returns argc (0 when the host gives none). */
int semihosting_argv(char *buf, size_t size, char **argv, int max_args);

#endif /* SEMIHOSTING_H */

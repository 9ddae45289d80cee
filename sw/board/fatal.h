/* What happens when an exception has no handler: a report on UART0, then exit. */
#ifndef FATAL_H
#define FATAL_H

#include <stdint.h>

#include "cpu.h"

/* Exit status of a firmware stopped by an unhandled exception: this plus its number. */
#define FATAL_EXIT_BASE 128

/* Prints "fatal: exception <n> at pc 0x... (cfsr 0x... hfsr 0x...)" and exits with
 * FATAL_EXIT_BASE + n. Apps that install their own fault handlers call it for faults
 * they do not expect. */
__attribute__((noreturn)) void fatal_exception(const struct exception_frame *frame);

#endif /* FATAL_H */

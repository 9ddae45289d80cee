/* Entry point of an Mbed TLS test suite on the board. The suite itself (suite.inc) is the
 * code Mbed TLS's framework/scripts/generate_test_code.py generates from the suite's
 * .function and .data files with its host_test template; its main(argc, argv) gets the
 * command line through semihosting, and it reads the .datax file named there with fopen,
 * which newlib passes to semihosting (sw/board/syscalls.c). */
#include "semihosting.h"

#define main mbedtls_test_suite_main
#include "suite.inc"
#undef main

#define MAX_ARGS 16

int main(void)
{
    static char cmdline[1024];
    char *argv[MAX_ARGS];
    int argc = semihosting_argv(cmdline, sizeof cmdline, argv, MAX_ARGS);
    if (argc == 0) {
        static char name[] = "test_suite";
        argv[0] = name;
        argv[1] = NULL;
        argc = 1;
    }
    return mbedtls_test_suite_main(argc, (const char **)argv);
}

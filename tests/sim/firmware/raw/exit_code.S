/* Exits through semihosting SYS_EXIT_EXTENDED with status EXIT_CODE (a -D on the
 * compiler's command line): for exit codes a process status cannot carry (> 255) or
 * that collide with tlscosim's own (124, 125). Laid out by minimal.ld like minimal.S. */
    .syntax unified
    .thumb

    .section .vectors, "a"
    .word __initial_sp
    .word reset_entry

    .text
    .global reset_entry
    .type reset_entry, %function
    .thumb_func
reset_entry:
    movs r0, #0x20          /* SYS_EXIT_EXTENDED */
    adr r1, exit_block      /* { ADP_Stopped_ApplicationExit, status } */
    bkpt 0xab
    b .
    .align 2
exit_block:
    .word 0x20026
    .word EXIT_CODE

    .section .extra, "aw"
    .word 0

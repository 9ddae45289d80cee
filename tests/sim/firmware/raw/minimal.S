/* The smallest image the simulator runs: a vector table, a reset handler that exits
 * with status 0 through semihosting, and one data word. minimal.ld places the pieces at
 * addresses the test chooses (from the board description), to produce images that load
 * and images that must be refused. RESET_VECTOR may be defined to replace the reset
 * vector (e.g. 0, or `reset_label`: the same code without the Thumb bit). */
    .syntax unified
    .thumb

    .section .vectors, "a"
    .word __initial_sp
#ifdef RESET_VECTOR
    .word RESET_VECTOR
#else
    .word reset_entry
#endif

    .text
    .global reset_entry
    .type reset_entry, %function
reset_label:                /* a plain label: its address has no Thumb bit */
    .thumb_func
reset_entry:
    movs r0, #0x18          /* SYS_EXIT */
    ldr r1, =0x20026        /* ADP_Stopped_ApplicationExit: status 0 */
    bkpt 0xab
    b .
    .ltorg

    .section .extra, "aw"
    .word 0x5a5a5a5a

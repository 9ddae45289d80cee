/* The fixed part of a differential batch image (diffimage.py generates the rest): the
 * vector table, the reset entry, the routines that report a program's workspace over
 * semihosting (no UART: nothing polls a device, so the instruction stream does not
 * depend on time) and the exits. Layout constants come from diffimage.py (-D). */
    .syntax unified
    .thumb

    .equ SYS_OPEN, 0x01
    .equ SYS_WRITE0, 0x04
    .equ SYS_WRITE, 0x05
    .equ MODE_W, 4
    .equ SYS_EXIT, 0x18
    .equ ADP_STOPPED_APPLICATION_EXIT, 0x20026
    .equ ADP_STOPPED_RUNTIME_ERROR, 0x20023

    .section .vectors, "a"
    .word _stack_top
    .word reset_entry
    .rept 14                    /* NMI .. SysTick: any exception is a failed run */
    .word fault_entry
    .endr

    .text
    .global reset_entry
    .type reset_entry, %function
    .thumb_func
reset_entry:
    bl open_report
    b run_programs              /* generated: runs, reports, then branches to exit_success */

/* open_report(): opens the semihosting console for writing (":tt", mode "w": QEMU's
 * stdout) and keeps the handle and the report length. A leaf; clobbers r0-r1. */
    .global open_report
    .type open_report, %function
    .thumb_func
open_report:
    ldr r1, =open_arguments
    movs r0, #SYS_OPEN
    bkpt 0xab
    ldr r1, =write_arguments
    str r0, [r1]
    ldr r0, =WORKSPACE_WORDS * 4
    str r0, [r1, #8]
    bx lr

/* report_workspace(r0 = workspace): its WORKSPACE_WORDS words, raw, on the report
 * handle. A leaf; clobbers r0-r1. */
    .global report_workspace
    .type report_workspace, %function
    .thumb_func
report_workspace:
    ldr r1, =write_arguments
    str r0, [r1, #4]
    movs r0, #SYS_WRITE
    bkpt 0xab
    bx lr
    .ltorg

    .global exit_success
    .type exit_success, %function
    .thumb_func
exit_success:
    movs r0, #SYS_EXIT
    ldr r1, =ADP_STOPPED_APPLICATION_EXIT
    bkpt 0xab
    b .

    .type fault_entry, %function
    .thumb_func
fault_entry:
    ldr r1, =fault_message
    movs r0, #SYS_WRITE0
    bkpt 0xab
    movs r0, #SYS_EXIT
    ldr r1, =ADP_STOPPED_RUNTIME_ERROR
    bkpt 0xab
    b .
    .ltorg

    .section .rodata
    .align 2
open_arguments:
    .word console_name, MODE_W, 3
console_name:
    .asciz ":tt"
fault_message:
    .asciz "EXCEPTION\n"

    .bss
    .align 2
write_arguments:            /* handle, buffer, length */
    .space 12

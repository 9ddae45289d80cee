/* Straight-line code between two DWT snapshots (see window.h). */
#include "window.h"

__asm__(
    "    .syntax unified\n"
    "    .thumb\n"

    "    .section .text.dwt_window, \"ax\", %progbits\n"
    "    .global dwt_window\n"
    "    .type dwt_window, %function\n"
    "    .thumb_func\n"
    "dwt_window:\n"
    "    push {r4, r5, r6, r7, r8, r9, r10, lr}\n"
    "    mov r8, r0\n"                  /* out */
    "    mov r9, r1\n"                  /* first counter register */
    "    mov r7, r2\n"                  /* ICSR */
    "    mov r10, r3\n"                 /* ICSR.NMIPENDSET */
    "    movs r1, #0\n"
    "    movs r2, #0\n"
    "    movs r3, #0\n"
    "    movs r4, #0\n"
    "    movs r5, #0\n"
    "    movs r6, #0\n"
    "    .global dwt_window_start\n"
    "dwt_window_start:\n"
    "    stm r9, {r1, r2, r3, r4, r5, r6}\n"   /* zero CYCCNT..FOLDCNT */
    "    ldr r1, [r8]\n"                /* a load ... */
    "    ldr r2, [r8, #4]\n"            /* ... and one pipelined behind it */
    "    movs r3, #7\n"
    "    movs r4, #100\n"
    "    udiv r5, r4, r3\n"             /* a multi-cycle instruction */
    "    adds r5, #1\n"
    "    cmp r5, #0\n"
    "    it ne\n"                       /* folded behind a 16-bit instruction */
    "    addne r5, #1\n"
    "    str r10, [r7]\n"               /* pend NMI: exception entry and return */
    "    isb\n"
    "    wfi\n"                         /* sleep until SysTick pends (PRIMASK is set) */
    "    nop\n"
    "    .global dwt_window_end\n"
    "dwt_window_end:\n"
    "    ldm r9, {r1, r2, r3, r4, r5, r6}\n"
    "    stm r8, {r1, r2, r3, r4, r5, r6}\n"
    "    pop {r4, r5, r6, r7, r8, r9, r10, pc}\n"
    "    .size dwt_window, . - dwt_window\n"

    "    .section .text.busy_wait, \"ax\", %progbits\n"
    "    .global busy_wait\n"
    "    .type busy_wait, %function\n"
    "    .thumb_func\n"
    "busy_wait:\n"
    "1:  ldr r2, [r0]\n"
    "    cmp r2, r1\n"
    "    bcc 1b\n"
    "    bx lr\n"
    "    .size busy_wait, . - busy_wait\n"

    "    .section .text.NMI_Handler, \"ax\", %progbits\n"
    "    .global NMI_Handler\n"
    "    .type NMI_Handler, %function\n"
    "    .thumb_func\n"
    "NMI_Handler:\n"
    "    bx lr\n"
    "    .size NMI_Handler, . - NMI_Handler\n"
    "    .text\n");

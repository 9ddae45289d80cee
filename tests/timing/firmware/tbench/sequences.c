/* Hand-written Thumb-2 microbenchmarks for the cycle-model tests (tests/timing).
 *
 * Every benchmark is one function `uint32_t tb_<name>_<reps>(const struct tb_env *env)`:
 * it loads its registers, reads a DWT counter (env->counter), runs `reps` copies of its
 * sequence, reads the counter again and returns the difference. The frame around the
 * sequence is the same for every benchmark, so measured(reps) - measured(0) is the cost
 * of the sequence alone. The frame:
 *
 *     .balign 4              (padding, if any, runs before the first read)
 *     ldr.w r11, [r12], #4   first read, at a word boundary
 *     mov.w r8, r8           fence: the sequence never pipelines behind the read
 *     <sequence>             starts word-aligned (the read and the fence are 4+4 bytes)
 *     mov  r8, r8            fence
 *     ldr.w r0, [r12, #-4]   second read
 *
 * The first read post-increments its base so that, when the second read happens, no
 * earlier instruction of the block has an address that covers the counter: the
 * simulator finds the instruction making a device access by its address. The
 * "same_base" benchmarks read twice through the same register instead, as compiled C
 * does (tests/timing/test_timing_access_timestamps.py).
 *
 * Registers: r12 counter address, r11 first reading, r6 and r9 a RAM buffer, r7 and r10
 * a buffer in the code memory (flash on the wait-state board): low registers for 16-bit
 * loads, high ones for LDM of r0-r7. The sequences use r0-r7 and lr.
 * Each function is aligned to 1 KiB so that no sequence crosses a 1 KiB boundary (the
 * simulator translates code in blocks that end there).
 *
 * A table (tb_table_start..tb_table_end) lists every function with its name, its kind
 * (which arguments main.c passes) and its repetition count.
 */
#include "tbench.h"

#define STR(x) #x
#define XSTR(x) STR(x)
#define PLAIN XSTR(TB_PLAIN)

__asm__(
    "    .syntax unified\n"
    "    .thumb\n"

    /* -- the frame ------------------------------------------------------------------ */
    "    .macro F_post_first\n    ldr.w r11, [r12], #4\n    .endm\n"
    "    .macro F_post_second\n    ldr.w r0, [r12, #-4]\n    .endm\n"
    "    .macro F_same_first\n    ldr.w r11, [r12]\n    .endm\n"
    "    .macro F_same_second\n    ldr.w r0, [r12]\n    .endm\n"
    "    .macro BENCH name, reps, kind, setup, body, frame=F_post\n"
    "    .pushsection .text.tb_\\name\\()_\\reps, \"ax\", %progbits\n"
    "    .balign 1024\n"
    "    .global tb_\\name\\()_\\reps\n"
    "    .type tb_\\name\\()_\\reps, %function\n"
    "    .thumb_func\n"
    "tb_\\name\\()_\\reps:\n"
    "    push {r4-r11, lr}\n"
    "    ldr r12, [r0, #0]\n"          /* env->counter */
    "    ldr r9, [r0, #4]\n"           /* env->ram */
    "    ldr r10, [r0, #8]\n"          /* env->code */
    "    mov r6, r9\n"
    "    mov r7, r10\n"
    "    \\setup\n"
    "    .balign 4\n"
    "    \\frame\\()_first\n"
    "    mov.w r8, r8\n"
    "    .rept \\reps\n"
    "    \\body\n"
    "    .endr\n"
    "    mov r8, r8\n"
    "    \\frame\\()_second\n"
    "    subs r0, r0, r11\n"
    "    pop {r4-r11, pc}\n"
    "    .size tb_\\name\\()_\\reps, . - tb_\\name\\()_\\reps\n"
    "    .popsection\n"
    "    .pushsection .rodata.tb_names, \"a\", %progbits\n"
    ".Ltbname_\\name\\()_\\reps:\n"
    "    .asciz \"\\name\"\n"
    "    .popsection\n"
    "    .pushsection .rodata.tb_table, \"a\", %progbits\n"
    "    .word .Ltbname_\\name\\()_\\reps, tb_\\name\\()_\\reps, \\kind, \\reps\n"
    "    .popsection\n"
    "    .endm\n"

    /* Instances for 0 (calibration), 1, 8 and 64 repetitions. */
    "    .macro BENCHES name, kind, setup, body, frame=F_post\n"
    "    .irp reps, 0, 1, 8, 64\n"
    "    BENCH \\name, \\reps, \\kind, \\setup, \\body, \\frame\n"
    "    .endr\n"
    "    .endm\n"

    "    .pushsection .rodata.tb_table, \"a\", %progbits\n"
    "    .balign 4\n"
    "    .global tb_table_start\n"
    "tb_table_start:\n"
    "    .popsection\n"

    /* -- setups ----------------------------------------------------------------------- */
    "    .macro S_none\n"
    "    .endm\n"
    "    .macro S_regs\n"               /* distinct values in r0-r5 */
    "    movs r0, #0\n    movs r1, #1\n    movs r2, #2\n    movs r3, #3\n"
    "    movs r4, #4\n    movs r5, #5\n"
    "    .endm\n"
    "    .macro S_chase\n"              /* ram[0] = &ram[0]: a pointer chain */
    "    str r6, [r6]\n"
    "    mov r0, r6\n"
    "    .endm\n"
    "    .macro S_z_set\n"              /* Z set, r1 = 0 */
    "    movs r1, #0\n"
    "    cmp r1, #0\n"
    "    .endm\n"
    "    .macro S_z_clear\n"            /* Z clear, r1 = 1 */
    "    movs r1, #1\n"
    "    cmp r1, #0\n"
    "    .endm\n"
    "    .macro S_equal\n"              /* r1 == r2 */
    "    movs r0, #0\n    movs r1, #5\n    movs r2, #5\n"
    "    .endm\n"
    "    .macro S_unequal\n"            /* r1 != r2 */
    "    movs r0, #0\n    movs r1, #5\n    movs r2, #6\n"
    "    .endm\n"
    "    .macro S_index1\n"             /* table index 1 */
    "    movs r1, #1\n"
    "    .endm\n"
    "    .macro S_big_quotient\n"      /* 0x7fffffff / 1 */
    "    mvn r1, #0x80000000\n    movs r2, #1\n"
    "    .endm\n"
    "    .macro S_args\n"               /* r1..r4 = env->a..d */
    "    ldr r1, [r0, #12]\n    ldr r2, [r0, #16]\n    ldr r3, [r0, #20]\n    ldr r4, [r0, #24]\n"
    "    .endm\n"

    /* -- sequences -------------------------------------------------------------------- */
    "    .macro Q_add\n    add r0, r0, r1\n    .endm\n"                 /* 16-bit */
    "    .macro Q_addw\n    add.w r0, r0, r1\n    .endm\n"              /* 32-bit */
    "    .macro Q_ldr\n    ldr r0, [r6]\n    .endm\n"
    "    .macro Q_ldr_chase\n    ldr r0, [r0]\n    .endm\n"
    "    .macro Q_ldr_str\n    ldr r0, [r6]\n    str r0, [r6, #4]\n    .endm\n"
    "    .macro Q_str\n    str r0, [r6]\n    .endm\n"
    /* address-generation interlock: the address register written just before */
    "    .macro Q_mov_ldr\n    mov r3, r6\n    ldr r0, [r3]\n    .endm\n"
    "    .macro Q_mov_ldr_other\n    mov r3, r6\n    ldr r0, [r6]\n    .endm\n"
    "    .macro Q_mov_str\n    mov r3, r6\n    str r0, [r3]\n    .endm\n"
    "    .macro Q_ldm8\n    ldm r9, {r0-r7}\n    .endm\n"
    "    .macro Q_stm8\n    stm r9, {r0-r7}\n    .endm\n"
    "    .macro Q_ldm8_code\n    ldm r10, {r0-r7}\n    .endm\n"
    "    .macro Q_ldr_code\n    ldr r0, [r7]\n    .endm\n"
    "    .macro Q_ldrd\n    ldrd r0, r1, [r6]\n    .endm\n"
    "    .macro Q_strd\n    strd r0, r1, [r6]\n    .endm\n"
    "    .macro Q_mul\n    mul r0, r1, r2\n    .endm\n"
    "    .macro Q_mla\n    mla r0, r1, r2, r0\n    .endm\n"
    "    .macro Q_umull\n    umull r0, r1, r2, r3\n    .endm\n"
    "    .macro Q_umlal\n    umlal r0, r1, r2, r3\n    .endm\n"
    "    .macro Q_smlal\n    smlal r0, r1, r2, r3\n    .endm\n"
    "    .macro Q_sdiv\n    sdiv r0, r1, r2\n    .endm\n"
    "    .macro Q_udiv\n    udiv r0, r1, r2\n    .endm\n"
    "    .macro Q_isb\n    isb\n    .endm\n"
    /* Branches; each copy is a multiple of 4 bytes long, so every copy starts aligned. */
    "    .macro Q_b\n    b.n 1f\n    nop\n1:\n    .endm\n"             /* to an aligned 16-bit insn */
    "    .macro Q_b_w32\n    b.n 1f\n    nop\n1:  add.w r0, r0, #1\n    .endm\n"   /* aligned 32-bit */
    "    .macro Q_b_u32\n    b.n 1f\n1:  add.w r0, r0, #1\n    nop\n    .endm\n"   /* straddling 32-bit */
    "    .macro Q_beq\n    beq.n 1f\n    nop\n    nop\n    nop\n1:\n    .endm\n"
    "    .macro Q_bne\n    bne.n 1f\n    nop\n    nop\n    nop\n1:\n    .endm\n"
    "    .macro Q_cbz\n    cbz r1, 1f\n    nop\n    nop\n    nop\n1:\n    .endm\n"
    "    .macro Q_cbnz\n    cbnz r1, 1f\n    nop\n    nop\n    nop\n1:\n    .endm\n"
    "    .macro Q_bl\n    bl tb_leaf\n    .endm\n"
    "    .macro Q_bl_pushpop\n    bl tb_push_pop\n    .endm\n"
    "    .macro Q_bl_pushpop_lr\n    bl tb_push_pop_lr\n    .endm\n"
    "    .macro Q_bl_cond_pop\n    bl tb_cond_pop\n    .endm\n"
    "    .macro Q_mov_pc\n    adr r3, 1f\n    mov pc, r3\n1:\n    .endm\n"
    "    .macro Q_tbb\n"
    "    tbb [pc, r1]\n"
    "0:  .byte (2f - 0b) / 2, (1f - 0b) / 2\n"
    "2:  nop\n"
    "1:\n"
    "    .endm\n"
    "    .macro Q_tbh\n"
    "    tbh [pc, r1, lsl #1]\n"
    "0:  .hword (1f - 0b) / 2, (1f - 0b) / 2\n"
    "1:\n"
    "    .endm\n"
    /* IT blocks */
    "    .macro Q_it_fold\n    cmp r1, r2\n    it eq\n    addeq r0, #1\n    .endm\n"
    "    .macro Q_it_nofold\n    cmp.w r1, r2\n    it eq\n    addeq r0, #1\n    .endm\n"
    "    .macro Q_it_ldr\n    cmp r1, r2\n    it eq\n    ldreq r0, [r6]\n    .endm\n"
    "    .macro Q_it_sdiv\n    cmp r1, r2\n    it eq\n    sdiveq r0, r1, r2\n    .endm\n"
    "    .macro Q_itt_add\n    cmp r1, r2\n    itt eq\n    addeq r0, #1\n    addeq r0, #1\n    .endm\n"
    /* Loops: r1 iterations (env->a) */
    "    .macro Q_loop\n"
    "1:  subs r1, r1, #1\n"
    "    bne.n 1b\n"
    "    .endm\n"
    /* Exceptions: store r2 to [r1] (pends one when r1 is NVIC_STIR), then ISB */
    "    .macro Q_pend\n    str r2, [r1]\n    isb\n    .endm\n"
    /* Two at once with interrupts masked: [r1] = r2, [r3] = r4, then unmask */
    "    .macro Q_pend2\n    cpsid i\n    str r2, [r1]\n    str r4, [r3]\n    cpsie i\n    isb\n    .endm\n"

    /* -- the benchmarks ------------------------------------------------------------------ */
    "    BENCHES add, " PLAIN ", S_regs, Q_add\n"
    "    BENCHES addw, " PLAIN ", S_regs, Q_addw\n"
    "    BENCHES ldr, " PLAIN ", S_none, Q_ldr\n"
    "    BENCHES ldr_chase, " PLAIN ", S_chase, Q_ldr_chase\n"
    "    BENCHES ldr_str, " PLAIN ", S_none, Q_ldr_str\n"
    "    BENCHES str, " PLAIN ", S_none, Q_str\n"
    "    BENCHES mov_ldr, " PLAIN ", S_none, Q_mov_ldr\n"
    "    BENCHES mov_ldr_other, " PLAIN ", S_none, Q_mov_ldr_other\n"
    "    BENCHES mov_str, " PLAIN ", S_none, Q_mov_str\n"
    "    BENCHES ldm8, " PLAIN ", S_none, Q_ldm8\n"
    "    BENCHES stm8, " PLAIN ", S_regs, Q_stm8\n"
    "    BENCHES ldm8_code, " PLAIN ", S_none, Q_ldm8_code\n"
    "    BENCHES ldr_code, " PLAIN ", S_none, Q_ldr_code\n"
    "    BENCHES ldrd, " PLAIN ", S_none, Q_ldrd\n"
    "    BENCHES strd, " PLAIN ", S_regs, Q_strd\n"
    "    BENCHES mul, " PLAIN ", S_regs, Q_mul\n"
    "    BENCHES mla, " PLAIN ", S_regs, Q_mla\n"
    "    BENCHES umull, " PLAIN ", S_regs, Q_umull\n"
    "    BENCHES umlal, " PLAIN ", S_regs, Q_umlal\n"
    "    BENCHES smlal, " PLAIN ", S_regs, Q_smlal\n"
    "    BENCHES isb, " PLAIN ", S_none, Q_isb\n"
    "    BENCHES b, " PLAIN ", S_none, Q_b\n"
    "    BENCHES b_w32, " PLAIN ", S_none, Q_b_w32\n"
    "    BENCHES b_u32, " PLAIN ", S_none, Q_b_u32\n"
    "    BENCHES beq_taken, " PLAIN ", S_z_set, Q_beq\n"
    "    BENCHES beq_untaken, " PLAIN ", S_z_clear, Q_beq\n"
    "    BENCHES bne_taken, " PLAIN ", S_z_clear, Q_bne\n"
    "    BENCHES bne_untaken, " PLAIN ", S_z_set, Q_bne\n"
    "    BENCHES cbz_taken, " PLAIN ", S_z_set, Q_cbz\n"
    "    BENCHES cbz_untaken, " PLAIN ", S_z_clear, Q_cbz\n"
    "    BENCHES cbnz_taken, " PLAIN ", S_z_clear, Q_cbnz\n"
    "    BENCHES cbnz_untaken, " PLAIN ", S_z_set, Q_cbnz\n"
    "    BENCHES bl_bx, " PLAIN ", S_none, Q_bl\n"
    "    BENCHES push_pop_pc, " PLAIN ", S_none, Q_bl_pushpop\n"
    "    BENCHES push_pop_pc1, " PLAIN ", S_none, Q_bl_pushpop_lr\n"
    "    BENCHES mov_pc, " PLAIN ", S_none, Q_mov_pc\n"
    "    BENCHES cond_pop_taken, " PLAIN ", S_equal, Q_bl_cond_pop\n"
    "    BENCHES cond_pop_skipped, " PLAIN ", S_unequal, Q_bl_cond_pop\n"
    "    BENCHES tbb, " PLAIN ", S_index1, Q_tbb\n"
    "    BENCHES tbh, " PLAIN ", S_index1, Q_tbh\n"
    "    BENCHES it_fold, " PLAIN ", S_equal, Q_it_fold\n"
    "    BENCHES it_nofold, " PLAIN ", S_equal, Q_it_nofold\n"
    "    BENCHES it_ldr_skipped, " PLAIN ", S_unequal, Q_it_ldr\n"
    "    BENCHES it_ldr_executed, " PLAIN ", S_equal, Q_it_ldr\n"
    "    BENCHES itt_skipped, " PLAIN ", S_unequal, Q_itt_add\n"
    "    BENCHES it_sdiv_skipped, " PLAIN ", S_unequal, Q_it_sdiv\n"
    "    BENCHES it_sdiv_executed, " PLAIN ", S_equal, Q_it_sdiv\n"
    /* Operand-dependent and argument-driven ones: one copy or eight, arguments from env. */
    "    BENCH sdiv, 0, " XSTR(TB_DIVIDE) ", S_args, Q_sdiv\n"
    "    BENCH sdiv, 8, " XSTR(TB_DIVIDE) ", S_args, Q_sdiv\n"
    "    BENCH udiv, 0, " XSTR(TB_DIVIDE) ", S_args, Q_udiv\n"
    "    BENCH udiv, 8, " XSTR(TB_DIVIDE) ", S_args, Q_udiv\n"
    "    BENCH loop, 0, " XSTR(TB_LOOP) ", S_args, Q_loop\n"
    "    BENCH loop, 1, " XSTR(TB_LOOP) ", S_args, Q_loop\n"
    "    BENCH pend, 1, " XSTR(TB_PEND) ", S_args, Q_pend\n"
    "    BENCH pend2, 1, " XSTR(TB_PEND2) ", S_args, Q_pend2\n"
    /* Both reads through the same base register. */
    "    BENCHES same_base_sdiv, " PLAIN ", S_big_quotient, Q_sdiv, F_same\n"
    "    BENCHES same_base_ldr_code, " PLAIN ", S_none, Q_ldr_code, F_same\n"

    /* -- callees ----------------------------------------------------------------------- */
    "    .pushsection .text.tb_callees, \"ax\", %progbits\n"
    "    .balign 4\n"
    "    .thumb_func\n"
    "tb_leaf:\n"
    "    bx lr\n"
    "    .balign 4\n"
    "    .thumb_func\n"
    "tb_push_pop:\n"
    "    push {r4-r7, lr}\n"
    "    pop {r4-r7, pc}\n"
    "    .balign 4\n"
    "    .thumb_func\n"
    "tb_push_pop_lr:\n"
    "    push {lr}\n"
    "    pop {pc}\n"
    "    .balign 4\n"
    "    .thumb_func\n"
    "tb_cond_pop:\n"                  /* returns from inside an IT block when r1 == r2 */
    "    push {r4, lr}\n"
    "    cmp r1, r2\n"
    "    it eq\n"
    "    popeq {r4, pc}\n"
    "    pop {r4, pc}\n"
    "    .popsection\n"

    "    .pushsection .rodata.tb_table, \"a\", %progbits\n"
    "    .global tb_table_end\n"
    "tb_table_end:\n"
    "    .popsection\n");

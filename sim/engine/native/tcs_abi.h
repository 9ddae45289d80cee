/*
 * What the native hooks (cyclehook.c, profilehook.c) share with Python through ctypes: the
 * structures Python reads and writes in place and the numbers both sides must agree on.
 *
 * This file is the only description of them. Python does not mirror it by hand:
 * sim/engine/native_abi.py reads the lists below and builds its ctypes structures and constants
 * from them, and each library exports, through tcs_abi_items(), the layout its compiler
 * gave the same lists. Python compares the two when it loads a library, so a library
 * built from another version of this file is refused with the field that differs.
 *
 * The lists are X-macros so that the declaration, the layout table and Python's parser
 * all read one text: FIELD(S, type, name), ARRAY(S, type, name, count) (S: the structure)
 * and CONSTANT(name, value), one per line, with plain integer literals (Python parses them; keep to this form).
 */
#ifndef TCS_ABI_H
#define TCS_ABI_H

#include <stddef.h>
#include <stdint.h>

/* -- numbers ----------------------------------------------------------------------------- */

#define TCS_CONSTANTS(CONSTANT) \
    CONSTANT(TCS_RECENT, 32)               /* block start addresses kept in tcs_shared.recent */ \
    /* on_miss's answer when instruction hooks must be added before the block may run */ \
    CONSTANT(TCS_MISS_RETRANSLATE, -2) \
    /* How a block ends, for the pipeline refill of the block that follows it. */ \
    CONSTANT(TCS_END_SEQUENTIAL, 0)        /* falls through: no refill */ \
    CONSTANT(TCS_END_CONDITIONAL, 1)       /* a conditional PC write: refill unless it falls through */ \
    CONSTANT(TCS_END_BRANCH, 2)            /* an unconditional PC write: always a refill */ \
    /* Why the block hook stopped emulation (tcs_shared.stop_reason). */ \
    CONSTANT(TCS_STOP_NONE, 0) \
    CONSTANT(TCS_STOP_DEADLINE, 1)         /* cycles reached the deadline */ \
    CONSTANT(TCS_STOP_REQUEST, 2)          /* Python set stop_request */ \
    CONSTANT(TCS_STOP_IRQ_UNMASKED, 3)     /* a pending exception is no longer masked */ \
    CONSTANT(TCS_STOP_DECODE_ERROR, 4)     /* the block could not be decoded */ \
    CONSTANT(TCS_STOP_RETRANSLATE, 5)      /* the block needs instruction hooks: flush and rerun it */ \
    CONSTANT(TCS_STOP_FP_TRAP, 6)          /* an FP block while FP instructions trap (NOCP, lazy stacking) */ \
    CONSTANT(TCS_STOP_UNALIGNED, 7)        /* an LDM/STM/LDRD/STRD/LDREX/STREX about to access a misaligned address */ \
    /* Call-stack effect of a block's last instruction (for profilers). */ \
    CONSTANT(TCS_FLOW_NONE, 0) \
    CONSTANT(TCS_FLOW_CALL, 1)             /* BL/BLX: the return address is the block's fallthrough */ \
    CONSTANT(TCS_FLOW_RETURN, 2)           /* BX LR, POP {..,PC}, LDR PC,[SP],#4, LDM SP!,{..,PC} */ \
    /* Instructions whose cost is settled at run time (tcs_site_new's kind). */ \
    CONSTANT(TCS_SITE_DIVIDE, 1)           /* SDIV/UDIV: early termination on the operands */ \
    CONSTANT(TCS_SITE_CONDITIONAL, 2)      /* in an IT block: 1 cycle when the condition fails */ \
    /* Profiler function keys that are not code addresses (0xFFFFF000 and up never executes). */ \
    CONSTANT(PROF_KEY_EXC_BASE, 0xFFFFF000) /* + exception number: a synthetic exception frame */ \
    CONSTANT(PROF_EXC_COUNT, 512)          /* exception numbers (ARMv7-M: at most 16 + 496) */ \
    CONSTANT(PROF_KEY_ROOT, 0xFFFFFFFD) \
    CONSTANT(PROF_KEY_SLEEP, 0xFFFFFFFE) \
    CONSTANT(PROF_KEY_UNKNOWN, 0xFFFFFFFF) \
    /* How a load or store names its address (tcs_access_site.kind: see accounting._covers). */ \
    CONSTANT(TCS_MEM_NEVER, 0)             /* no data operand the access can be told from (PC-relative, none) */ \
    CONSTANT(TCS_MEM_SINGLE, 1)            /* base [+ disp] [+/- index << shift]: covers [ea, ea + 8) */ \
    CONSTANT(TCS_MEM_LIST, 2)              /* LDM/STM/PUSH/POP: covers base +/- span */ \
    /* Native device windows (mmio_port.c). */ \
    CONSTANT(TCS_PORT_LOG, 4096)           /* accesses logged before Python drains them */ \
    CONSTANT(TCS_PORT_WORDS, 2048)         /* the largest window, in 32-bit words (8 KiB) */

/* -- structures -------------------------------------------------------------------------- */

/* Cost of one block, as computed by the timing model (Python fills it, tcs_insert copies it). */
#define TCS_BLOCK_FIELDS(FIELD, ARRAY, S) \
    FIELD(S, uint32_t, addr) \
    FIELD(S, uint32_t, size) \
    FIELD(S, uint32_t, ninsn) \
    FIELD(S, uint32_t, cycles)     /* all instructions; a final conditional branch not taken */ \
    FIELD(S, uint32_t, end)        /* TCS_END_* */ \
    FIELD(S, uint32_t, refill)     /* pipeline refill (P) paid when a branch lands here */ \
    FIELD(S, uint32_t, cpi)        /* DWT event counts of one execution, refill excluded */ \
    FIELD(S, uint32_t, lsu) \
    FIELD(S, uint32_t, fold) \
    FIELD(S, uint32_t, flow)       /* TCS_FLOW_*: how the last instruction moves the call stack */ \
    FIELD(S, uint64_t, count)      /* executions so far */

/* The counters the block hook shares with Python, read and written in place.
 * The hot path updates only `cycles` and the block's execution count; instruction and
 * DWT event totals are sums over the table (tcs_totals), plus Python's adjustments. */
#define TCS_SHARED_FIELDS(FIELD, ARRAY, S) \
    FIELD(S, uint64_t, cycles) \
    FIELD(S, uint64_t, deadline)             /* slow path once cycles >= deadline (0: at the next block) */ \
    FIELD(S, uint64_t, deadline_after_watch) /* the real deadline while watch_irq forces the slow path */ \
    FIELD(S, uint64_t, block_start_cycles)   /* cycles before the current block started */ \
    FIELD(S, uint64_t, refill_cycles)        /* pipeline refills paid so far (part of CPI) */ \
    FIELD(S, int64_t, site_cpi)              /* corrections by instruction sites (divides, IT blocks) */ \
    FIELD(S, int64_t, site_lsu) \
    FIELD(S, int64_t, cur_block)             /* index of the block now running, -1 before any */ \
    FIELD(S, uint32_t, stop_request)         /* Python: stop before the next block (set deadline 0 too) */ \
    FIELD(S, uint32_t, stop_reason)          /* TCS_STOP_* */ \
    FIELD(S, uint32_t, watch_irq)            /* nonzero: stop once priority watch_prio is unmasked */ \
    FIELD(S, uint32_t, watch_prio)           /* group priority of the pending exception (0..255) */ \
    FIELD(S, uint32_t, watch_group_mask)     /* BASEPRI bits that form the group priority */ \
    FIELD(S, uint32_t, pending_end)          /* how the previous block ended (TCS_END_*) */ \
    FIELD(S, uint32_t, pending_fallthrough)  /* the address after the previous block */ \
    FIELD(S, uint32_t, recent_pos) \
    ARRAY(S, uint32_t, recent, TCS_RECENT)   /* start addresses of the last blocks, a ring */ \
    /* Which load/store of the running block a device access may come from next (see \
       accounting.locate; shared with mmio_port.c so both locate alike). */ \
    FIELD(S, int64_t, cursor_block)          /* the block execution it belongs to: cur_block ... */ \
    FIELD(S, uint32_t, cursor_ring)          /* ... and recent_pos then */ \
    FIELD(S, uint32_t, cursor)               /* the next instruction index an access may come from */

/* Sums over all blocks: count x per-execution figure (tcs_totals). */
#define TCS_TOTALS_FIELDS(FIELD, ARRAY, S) \
    FIELD(S, uint64_t, instructions) \
    FIELD(S, uint64_t, cpi) \
    FIELD(S, uint64_t, lsu) \
    FIELD(S, uint64_t, fold)

/* The profiler's calling-context tree, one node per context (prof_copy_nodes). */
#define PROF_NODE_FIELDS(FIELD, ARRAY, S) \
    FIELD(S, uint32_t, key)        /* function key, PROF_KEY_* */ \
    FIELD(S, uint32_t, parent)     /* node id (the root is its own parent) */ \
    FIELD(S, uint64_t, calls)      /* times entered: call, tail call, exception, sleep episode */ \
    FIELD(S, int64_t, cycles)      /* self */ \
    FIELD(S, int64_t, insns)       /* self */

/* Per-function cycles the block table cannot give (prof_copy_funcs; profiler.py's flat profile). */
#define PROF_FUNC_FIELDS(FIELD, ARRAY, S) \
    FIELD(S, uint32_t, key) \
    FIELD(S, uint32_t, pad) \
    FIELD(S, int64_t, refill)      /* pipeline refills paid by blocks starting in the function */ \
    FIELD(S, int64_t, site)        /* run-time corrections (divides, IT blocks, wait states) */ \
    FIELD(S, int64_t, corr_cycles) /* reconciliations (faults cutting a block short) */ \
    FIELD(S, int64_t, corr_insns)

/* One load or store of a block, for locating device accesses natively (mmio_port.c). */
#define TCS_ACCESS_SITE_FIELDS(FIELD, ARRAY, S) \
    FIELD(S, uint32_t, index)        /* the instruction's index in its block */ \
    FIELD(S, uint32_t, prefix)       /* the block's cycles before it (BlockTiming.prefix) */ \
    FIELD(S, uint32_t, address)      /* its address: the PC reported with the access */ \
    FIELD(S, uint32_t, kind)         /* TCS_MEM_* */ \
    FIELD(S, int32_t, base)          /* engine register id of the base (LDM/STM: the list base) */ \
    FIELD(S, int32_t, offset_reg)    /* engine register id of the index register, -1 without */ \
    FIELD(S, int32_t, disp) \
    FIELD(S, uint32_t, lshift) \
    FIELD(S, uint32_t, subtracted) \
    FIELD(S, uint32_t, post_indexed) \
    FIELD(S, uint32_t, span)         /* TCS_MEM_LIST: 4 x the registers transferred */ \
    FIELD(S, uint32_t, stays)        /* makes several accesses (LDM/STM/LDRD/STRD): the cursor stays */

/* One access a native window served, logged for Python's observers (drained in order). */
#define TCS_PORT_ACCESS_FIELDS(FIELD, ARRAY, S) \
    FIELD(S, uint64_t, rtl_cycle)    /* the device's cycle of the access */ \
    FIELD(S, uint32_t, pc)           /* the accessing instruction */ \
    FIELD(S, uint32_t, offset)       /* byte offset in the window */ \
    FIELD(S, uint32_t, size) \
    FIELD(S, uint32_t, write) \
    FIELD(S, uint32_t, value)        /* written, or read as the instruction got it */ \
    FIELD(S, uint32_t, busy)         /* the device was busy when the access came */

/* A native window's state, shared with Python in place (sim/engine/mmio_port.py). The
   device time fields are RtlBusDevice's (cycle, skipped, quiet), handed over while the
   window serves accesses natively and handed back before Python touches the device. */
#define TCS_PORT_SHARED_FIELDS(FIELD, ARRAY, S) \
    FIELD(S, uint64_t, cycle)        /* device cycles since reset, simulated or skipped */ \
    FIELD(S, uint64_t, skipped)      /* of which fast-forwarded */ \
    FIELD(S, uint64_t, quiet)        /* consecutive simulated cycles without a write or busy core */ \
    FIELD(S, uint64_t, accesses)     /* served natively */ \
    FIELD(S, uint64_t, wall_ns)      /* wall time spent in the device model */ \
    FIELD(S, uint32_t, native)       /* nonzero: serve accesses here; zero: every access goes to Python */ \
    FIELD(S, uint32_t, logged)       /* records in the log (Python resets it when it drains) */ \
    FIELD(S, uint32_t, settle)       /* idle cycles simulated before the device state is a fixed point */ \
    FIELD(S, uint32_t, fast_forward) /* nonzero: skip idle stretches past `settle` */ \
    FIELD(S, uint32_t, window)       /* the window's size in bytes */ \
    FIELD(S, uint32_t, python_word)  /* a word offset Python always serves (IRQ_ENABLE), or 0xFFFFFFFF */ \
    ARRAY(S, uint32_t, decoded, 64)  /* bit per word offset (TCS_PORT_WORDS): a register decodes it */

/* Every shared structure: STRUCT(typedef name, field list). */
#define TCS_STRUCTS(STRUCT) \
    STRUCT(tcs_block, TCS_BLOCK_FIELDS) \
    STRUCT(tcs_shared, TCS_SHARED_FIELDS) \
    STRUCT(tcs_totals_t, TCS_TOTALS_FIELDS) \
    STRUCT(prof_node, PROF_NODE_FIELDS) \
    STRUCT(prof_func, PROF_FUNC_FIELDS) \
    STRUCT(tcs_access_site, TCS_ACCESS_SITE_FIELDS) \
    STRUCT(tcs_port_access, TCS_PORT_ACCESS_FIELDS) \
    STRUCT(tcs_port_shared, TCS_PORT_SHARED_FIELDS)

/* -- declarations ------------------------------------------------------------------------ */

#define TCS_ABI_DECLARE_CONSTANT(name, value) name = (value),
enum { TCS_CONSTANTS(TCS_ABI_DECLARE_CONSTANT) };

#define TCS_ABI_DECLARE_FIELD(s, type, name) type name;
#define TCS_ABI_DECLARE_ARRAY(s, type, name, count) type name[count];
#define TCS_ABI_DECLARE_STRUCT(struct_name, fields) \
    typedef struct { fields(TCS_ABI_DECLARE_FIELD, TCS_ABI_DECLARE_ARRAY, struct_name) } struct_name;
TCS_STRUCTS(TCS_ABI_DECLARE_STRUCT)

/* -- the layout table Python checks ------------------------------------------------------ */

/* One row: a constant (scope NULL), a structure (field NULL: its size), or a field. */
typedef struct {
    const char *scope;
    const char *field;
    int64_t value;      /* the constant; the structure's size; the field's offset */
    int64_t size;       /* the field's size in bytes (an array: all of it) */
} tcs_abi_item;

/* The one source file of each library defines TCS_ABI_DEFINE_ITEMS before including this,
   so that every library exports the table its own compiler laid out. */
#ifdef TCS_ABI_DEFINE_ITEMS
#define TCS_ABI_CONSTANT_ROW(name, value) {NULL, #name, (int64_t)(value), 0},
#define TCS_ABI_FIELD_ROW(s, type, name) {#s, #name, (int64_t)offsetof(s, name), (int64_t)sizeof(((s *)0)->name)},
#define TCS_ABI_ARRAY_ROW(s, type, name, count) TCS_ABI_FIELD_ROW(s, type, name)
#define TCS_ABI_STRUCT_ROWS(struct_name, fields) \
    {#struct_name, NULL, (int64_t)sizeof(struct_name), 0}, \
    fields(TCS_ABI_FIELD_ROW, TCS_ABI_ARRAY_ROW, struct_name)

static const tcs_abi_item tcs_abi_table[] = {
    TCS_CONSTANTS(TCS_ABI_CONSTANT_ROW)
    TCS_STRUCTS(TCS_ABI_STRUCT_ROWS)
};

const tcs_abi_item *tcs_abi_items(uint32_t *count)
{
    *count = (uint32_t)(sizeof tcs_abi_table / sizeof tcs_abi_table[0]);
    return tcs_abi_table;
}
#endif

#endif /* TCS_ABI_H */

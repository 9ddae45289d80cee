/*
 * Native block hook: instruction and cycle accounting without Python on the hot path.
 *
 * Unicorn calls tcs_block_hook() before each translated block runs. The hook adds the
 * block's precomputed cost (decoded once, in Python, on the first execution: see
 * on_miss) to the counters shared with Python, and stops emulation *before* a block
 * when a deadline (next peripheral event, cycle limit, heartbeat) is reached or when
 * Python asked for a stop. A block the hook stops before has not run and is not
 * counted; Unicorn calls the hook for it again when emulation resumes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <stddef.h>
#include <unicorn/unicorn.h>

#define TCS_ABI_DEFINE_ITEMS
#include "tcs_abi.h"   /* tcs_block, tcs_shared, tcs_totals_t, the TCS_* numbers */

/* An observer called after each counted block (a profiler); NULL when none. */
typedef void (*tcs_observer_fn)(void *ctx, const tcs_block *blk, uint32_t addr, uint64_t cycles);

/* on_miss returns the new block's index, -1 on a decode error, or TCS_MISS_RETRANSLATE
   when instruction hooks must be added before the block may run. */
typedef int64_t (*tcs_miss_fn)(uint32_t addr, uint32_t size);

typedef struct {
    tcs_shared sh;
    uc_engine *uc;
    tcs_miss_fn on_miss;
    tcs_block *blocks;
    uint32_t nblocks, cap;
    uint32_t *slots;      /* open addressing: block index + 1, 0 = empty */
    uint32_t slot_mask;
    tcs_observer_fn observer;
    void *observer_ctx;
    /* Direct map of the code memory: (addr - direct_base) / 2 -> block index + 1. Blocks
       elsewhere (code run from RAM) are found in the hash table. */
    uint32_t *direct;
    uint32_t direct_base, direct_halfwords;
    /* FP instructions trap (FPU off: NOCP; a lazy FP context to save) while fp_trap is
       set: the hook stops before a block holding one (fp_blocks[index] != 0), except once
       for a block starting at fp_pass_addr. fp_trap is only set once some block holds an
       FP instruction (fp_nblocks), so that firmware without any costs one predicted
       branch per block. */
    uint32_t fp_trap, fp_trap_wanted;
    uint32_t fp_nblocks;
    uint32_t fp_pass_addr;
    int64_t fp_trapped;   /* the block the last FP trap stopped before */
    uint8_t *fp_blocks;
    uint32_t fp_cap;
} tcs_state;

/* Block start addresses are distinct halfword addresses spread over the code: their low
   bits index the table well enough, and cost no multiply on the hot path. */
static uint32_t slot_of(uint32_t addr, uint32_t mask)
{
    return (addr >> 1) & mask;
}

tcs_state *tcs_new(void *uc, tcs_miss_fn on_miss)
{
    tcs_state *st = calloc(1, sizeof *st);
    if (!st)
        return NULL;
    st->uc = (uc_engine *)uc;
    st->on_miss = on_miss;
    st->cap = 1024;
    st->blocks = calloc(st->cap, sizeof *st->blocks);
    st->slot_mask = 4096 - 1;
    st->slots = calloc(st->slot_mask + 1, sizeof *st->slots);
    if (!st->blocks || !st->slots) {
        free(st->blocks); free(st->slots); free(st);
        return NULL;
    }
    st->sh.deadline = UINT64_MAX;
    st->sh.deadline_after_watch = UINT64_MAX;
    st->sh.cur_block = -1;
    return st;
}

/* Gives the memory holding most code a direct map (one lookup, no probing). */
int tcs_set_direct_map(tcs_state *st, uint32_t base, uint32_t size)
{
    uint32_t *map = calloc(size / 2 + 1, sizeof *map);
    if (!map)
        return -1;
    for (uint32_t i = 0; i < st->nblocks; i++) {
        uint32_t off = st->blocks[i].addr - base;
        if (off < size)
            map[off / 2] = i + 1;
    }
    free(st->direct);
    st->direct = map;
    st->direct_base = base;
    st->direct_halfwords = size / 2;
    return 0;
}

void tcs_free(tcs_state *st)
{
    if (!st)
        return;
    free(st->fp_blocks);
    free(st->direct);
    free(st->blocks);
    free(st->slots);
    free(st);
}

tcs_shared *tcs_shared_of(tcs_state *st) { return &st->sh; }

void tcs_set_observer(tcs_state *st, tcs_observer_fn fn, void *ctx)
{
    st->observer = fn;
    st->observer_ctx = ctx;
}

static int64_t lookup_hashed(const tcs_state *st, uint32_t addr, uint32_t size)
{
    uint32_t s = slot_of(addr, st->slot_mask);
    for (;;) {
        uint32_t v = st->slots[s];
        if (!v)
            return -1;
        const tcs_block *b = &st->blocks[v - 1];
        if (b->addr == addr && b->size == size)
            return v - 1;
        s = (s + 1) & st->slot_mask;
    }
}

static inline __attribute__((always_inline)) int64_t lookup(const tcs_state *st, uint32_t addr, uint32_t size)
{
    uint32_t half = (addr - st->direct_base) / 2;
    if (__builtin_expect(half < st->direct_halfwords, 1)) {
        uint32_t v = st->direct[half];
        /* A block is keyed by start and size; another size at this start (rare: a
           retranslation) is in the hash table. */
        if (__builtin_expect(v && st->blocks[v - 1].size == size, 1))
            return v - 1;
    }
    return lookup_hashed(st, addr, size);
}

static int grow_slots(tcs_state *st)
{
    uint32_t nmask = st->slot_mask * 2 + 1;
    uint32_t *ns = calloc(nmask + 1, sizeof *ns);
    if (!ns)
        return -1;
    for (uint32_t i = 0; i < st->nblocks; i++) {
        uint32_t s = slot_of(st->blocks[i].addr, nmask);
        while (ns[s])
            s = (s + 1) & nmask;
        ns[s] = i + 1;
    }
    free(st->slots);
    st->slots = ns;
    st->slot_mask = nmask;
    return 0;
}

/* Adds a block's cost; returns its index, or -1 when out of memory. */
int64_t tcs_insert(tcs_state *st, const tcs_block *blk)
{
    int64_t found = lookup(st, blk->addr, blk->size);
    if (found >= 0) {
        uint64_t count = st->blocks[found].count;
        st->blocks[found] = *blk;
        st->blocks[found].count = count;
        return found;
    }
    if (st->nblocks == st->cap) {
        tcs_block *nb = realloc(st->blocks, 2 * st->cap * sizeof *nb);
        if (!nb)
            return -1;
        st->blocks = nb;
        st->cap *= 2;
    }
    if ((st->nblocks + 1) * 2 > st->slot_mask + 1 && grow_slots(st) < 0)
        return -1;
    uint32_t i = st->nblocks++;
    st->blocks[i] = *blk;
    st->blocks[i].count = 0;
    uint32_t s = slot_of(blk->addr, st->slot_mask);
    while (st->slots[s])
        s = (s + 1) & st->slot_mask;
    st->slots[s] = i + 1;
    uint32_t half = (blk->addr - st->direct_base) / 2;
    if (half < st->direct_halfwords)
        st->direct[half] = i + 1;
    return i;
}

void tcs_totals(const tcs_state *st, tcs_totals_t *out)
{
    memset(out, 0, sizeof *out);
    for (uint32_t i = 0; i < st->nblocks; i++) {
        const tcs_block *b = &st->blocks[i];
        out->instructions += b->count * b->ninsn;
        out->cpi += b->count * b->cpi;
        out->lsu += b->count * b->lsu;
        out->fold += b->count * b->fold;
    }
}

/* Copies block i (cost and execution count) out for profiles and tests. */
int tcs_get_block(const tcs_state *st, uint32_t i, tcs_block *out)
{
    if (i >= st->nblocks)
        return -1;
    *out = st->blocks[i];
    return 0;
}

/* Marks block `idx` as holding FP instructions. */
int tcs_set_block_fp(tcs_state *st, uint32_t idx, uint32_t fp)
{
    if (idx >= st->fp_cap) {
        uint32_t ncap = st->fp_cap ? st->fp_cap : 1024;
        while (ncap <= idx)
            ncap *= 2;
        uint8_t *nb = realloc(st->fp_blocks, ncap);
        if (!nb)
            return -1;
        memset(nb + st->fp_cap, 0, ncap - st->fp_cap);
        st->fp_blocks = nb;
        st->fp_cap = ncap;
    }
    st->fp_nblocks += (fp != 0) - st->fp_blocks[idx];
    st->fp_blocks[idx] = fp != 0;
    st->fp_trap = st->fp_trap_wanted && st->fp_nblocks;
    return 0;
}

/* FP blocks stop emulation (trap != 0), except the next run of the block at pass_addr. */
void tcs_set_fp_trap(tcs_state *st, uint32_t trap, uint32_t pass_addr)
{
    st->fp_trap_wanted = trap;
    st->fp_trap = trap && st->fp_nblocks;
    st->fp_pass_addr = pass_addr;
}

int64_t tcs_fp_trapped(const tcs_state *st) { return st->fp_trapped; }

/* Execution priority allowed by PRIMASK/FAULTMASK/BASEPRI (lower value = more urgent). */
static int unmasked(tcs_state *st)
{
    uint32_t primask = 0, faultmask = 0, basepri = 0;
    uc_reg_read(st->uc, UC_ARM_REG_FAULTMASK, &faultmask);
    uc_reg_read(st->uc, UC_ARM_REG_PRIMASK, &primask);
    uc_reg_read(st->uc, UC_ARM_REG_BASEPRI, &basepri);
    if (faultmask & 1 || primask & 1)
        return 0;
    basepri &= st->sh.watch_group_mask;
    return basepri == 0 || st->sh.watch_prio < basepri;
}

static void stop(tcs_state *st, uint32_t reason)
{
    st->sh.stop_reason = reason;
    uc_emu_stop(st->uc);
}

/* The rare checks, reached once cycles >= deadline. Returns 1 if emulation stops. */
static int slow_path(tcs_state *st)
{
    tcs_shared *sh = &st->sh;
    if (sh->stop_request) {
        sh->stop_request = 0;
        stop(st, TCS_STOP_REQUEST);
        return 1;
    }
    if (sh->watch_irq) {
        if (unmasked(st)) {
            sh->watch_irq = 0;
            stop(st, TCS_STOP_IRQ_UNMASKED);
            return 1;
        }
        if (sh->cycles < sh->deadline_after_watch)
            return 0;
    }
    stop(st, TCS_STOP_DEADLINE);
    return 1;
}

/* Counts block `idx` starting at `addr`: the hot path. `refills` is a constant: the
   counting-only hook (one cycle per instruction) compiles the refill logic away. */
static inline __attribute__((always_inline)) void account(tcs_state *st, int64_t idx, uint32_t addr,
                                                          uint32_t size, int refills)
{
    tcs_shared *sh = &st->sh;
    tcs_block *b = &st->blocks[idx];
    if (refills) {
        /* A branch (or other PC write) ended the previous block: refill the pipeline,
           unless it was conditional and fell through. Branch-free: this is unpredictable. */
        uint32_t refill = b->refill & -(uint32_t)((sh->pending_end == TCS_END_BRANCH)
            | ((sh->pending_end == TCS_END_CONDITIONAL) & (addr != sh->pending_fallthrough)));
        sh->cycles += refill;
        sh->refill_cycles += refill;
        sh->pending_end = b->end;
        sh->pending_fallthrough = addr + size;
    }
    sh->block_start_cycles = sh->cycles;
    sh->cur_block = idx;
    sh->cycles += b->cycles;
    b->count++;
    sh->recent[sh->recent_pos++ % TCS_RECENT] = addr;
    if (st->observer)
        st->observer(st->observer_ctx, b, addr, sh->cycles);
}

/* Stops before block `idx` if it holds FP instructions while they trap. */
static __attribute__((noinline, cold)) int fp_trap_stops(tcs_state *st, int64_t idx, uint32_t addr)
{
    if ((uint64_t)idx >= st->fp_cap || !st->fp_blocks[idx])
        return 0;
    if (addr == st->fp_pass_addr) {
        st->fp_pass_addr = 1;   /* odd: never a block address */
        return 0;
    }
    st->fp_trapped = idx;
    stop(st, TCS_STOP_FP_TRAP);
    return 1;
}

/* Everything but the common case, kept out of line so that the hot path stays a leaf. */
static __attribute__((noinline, cold)) void block_hook_rare(tcs_state *st, uint32_t addr, uint32_t size,
                                                            int refills)
{
    if (st->sh.cycles >= st->sh.deadline && slow_path(st))
        return;
    int64_t idx = lookup(st, addr, size);
    if (idx < 0) {
        idx = st->on_miss(addr, size);
        if (idx < 0) {
            stop(st, idx == TCS_MISS_RETRANSLATE ? TCS_STOP_RETRANSLATE : TCS_STOP_DECODE_ERROR);
            return;
        }
    }
    if (st->fp_trap && fp_trap_stops(st, idx, addr))
        return;
    account(st, idx, addr, size, refills);
}

static inline __attribute__((always_inline)) void block_hook(tcs_state *st, uint64_t address, uint32_t size,
                                                             int refills)
{
    uint32_t addr = (uint32_t)address;
    int64_t idx;
    if (__builtin_expect(st->sh.cycles >= st->sh.deadline, 0)
        || __builtin_expect((idx = lookup(st, addr, size)) < 0, 0)) {
        block_hook_rare(st, addr, size, refills);
        return;
    }
    if (__builtin_expect(st->fp_trap, 0) && fp_trap_stops(st, idx, addr))
        return;
    account(st, idx, addr, size, refills);
}

/* The Cortex-M4 cycle model. */
void tcs_block_hook(uc_engine *uc, uint64_t address, uint32_t size, void *user)
{
    (void)uc;
    block_hook(user, address, size, 1);
}

/* Instruction counting only: blocks cost one cycle per instruction and never refill. */
void tcs_block_hook_counting(uc_engine *uc, uint64_t address, uint32_t size, void *user)
{
    (void)uc;
    block_hook(user, address, size, 0);
}

/*
 * Instruction sites whose cost depends on run-time values, hooked one by one (Unicorn
 * calls the hook before the instruction runs). The block's static cost assumed
 * `assumed` cycles for the instruction; the hook adds the difference. Adding it to
 * block_start_cycles too keeps the cycle of later accesses in the block exact.
 */
typedef struct {
    tcs_state *st;
    uint32_t kind;         /* TCS_SITE_* */
    uint32_t cond;         /* ARM condition code 0..14 (EQ..AL) */
    int32_t rn, rm;        /* Unicorn register ids of the divide operands */
    uint32_t is_signed;
    uint32_t assumed;      /* cycles the block's static cost counted */
    uint32_t executed;     /* cycles when executed (divides: computed instead) */
    uint32_t skipped;      /* cycles when its condition fails */
    uint32_t lsu;          /* LSU cycles of the executed cost; the rest of a correction is CPI */
} tcs_site;

static int condition_passed(uint32_t cond, uint32_t apsr)
{
    uint32_t n = apsr >> 31 & 1, z = apsr >> 30 & 1, c = apsr >> 29 & 1, v = apsr >> 28 & 1;
    int r;
    switch (cond >> 1) {
    case 0: r = z; break;                 /* EQ / NE */
    case 1: r = c; break;                 /* CS / CC */
    case 2: r = n; break;                 /* MI / PL */
    case 3: r = v; break;                 /* VS / VC */
    case 4: r = c && !z; break;           /* HI / LS */
    case 5: r = n == v; break;            /* GE / LT */
    case 6: r = !z && n == v; break;      /* GT / LE */
    default: return 1;                    /* AL */
    }
    return (cond & 1) ? !r : r;
}

/* Cortex-M4 divide latency: 2..12 cycles (TRM). Model (docs/timing.md): 2 cycles plus
   one per 4 bits of quotient, from the operands' significant bits; 2 for a zero divisor. */
static uint32_t divide_cycles(uint32_t n, uint32_t d, int is_signed)
{
    if (is_signed) {
        n = (int32_t)n < 0 ? -n : n;
        d = (int32_t)d < 0 ? -d : d;
    }
    if (d == 0 || n < d)
        return 2;
    int qbits = (32 - __builtin_clz(n)) - (32 - __builtin_clz(d)) + 1;
    uint32_t cycles = 2 + (uint32_t)(qbits + 3) / 4;
    return cycles > 12 ? 12 : cycles;
}

tcs_site *tcs_site_new(tcs_state *st, uint32_t kind, uint32_t cond, int32_t rn, int32_t rm,
                       uint32_t is_signed, uint32_t assumed, uint32_t executed, uint32_t skipped,
                       uint32_t lsu)
{
    tcs_site *site = calloc(1, sizeof *site);
    if (!site)
        return NULL;
    *site = (tcs_site){st, kind, cond, rn, rm, is_signed, assumed, executed, skipped, lsu};
    return site;
}

void tcs_site_free(tcs_site *site) { free(site); }

void tcs_site_hook(uc_engine *uc, uint64_t address, uint32_t size, void *user)
{
    tcs_site *site = user;
    tcs_shared *sh = &site->st->sh;
    uint32_t actual = site->executed;
    (void)address; (void)size;
    if (site->cond < 14) {
        uint32_t apsr = 0;
        uc_reg_read(uc, UC_ARM_REG_APSR, &apsr);
        if (!condition_passed(site->cond, apsr)) {
            actual = site->skipped;
            goto account;
        }
    }
    if (site->kind == TCS_SITE_DIVIDE) {
        uint32_t n = 0, d = 0;
        uc_reg_read(uc, site->rn, &n);
        uc_reg_read(uc, site->rm, &d);
        actual = divide_cycles(n, d, site->is_signed);
    }
account:;
    int64_t delta = (int64_t)actual - (int64_t)site->assumed;
    sh->cycles += delta;
    sh->block_start_cycles += delta;
    int64_t lsu = actual == site->executed && actual != site->assumed ? site->lsu : 0;
    sh->site_lsu += lsu;
    sh->site_cpi += delta - lsu;
}

/*
 * Alignment checks (sim/architecture/alignment.py): instructions that must access an aligned address
 * whatever CCR.UNALIGN_TRP says. Unicorn calls the hook before the instruction runs and
 * with PC at it; stopping there leaves the instruction unexecuted, and Python raises the
 * UsageFault (UNALIGNED) at it. A failed IT condition means no access, so no fault.
 *
 * Inside an IT block Unicorn does not honour a stop request until the block is over, so
 * a conditional instruction cannot be stopped before it runs: such misaligned accesses
 * are counted (`missed`) and reported as a simulator limitation instead.
 */
typedef struct {
    tcs_state *st;
    uint32_t cond;         /* ARM condition code 0..14 (EQ..AL) */
    int32_t base;          /* Unicorn register id of the base register */
    int32_t offset;        /* the lowest address accessed is base + offset */
    uint32_t mask;         /* address bits that must be zero */
    uint64_t missed;       /* misaligned executions inside IT blocks, not trapped */
} tcs_align;

tcs_align *tcs_align_new(tcs_state *st, uint32_t cond, int32_t base, int32_t offset, uint32_t mask)
{
    tcs_align *a = calloc(1, sizeof *a);
    if (a)
        *a = (tcs_align){st, cond, base, offset, mask, 0};
    return a;
}

uint64_t tcs_align_missed(const tcs_align *a) { return a->missed; }

void tcs_align_hook(uc_engine *uc, uint64_t address, uint32_t size, void *user)
{
    tcs_align *a = user;
    uint32_t base = 0;
    (void)address; (void)size;
    if (a->cond < 14) {
        uint32_t apsr = 0;
        uc_reg_read(uc, UC_ARM_REG_APSR, &apsr);
        if (!condition_passed(a->cond, apsr))
            return;
    }
    uc_reg_read(uc, a->base, &base);
    if (__builtin_expect((base + (uint32_t)a->offset) & a->mask, 0)) {
        if (a->cond < 14)
            a->missed++;
        else
            stop(a->st, TCS_STOP_UNALIGNED);
    }
}

/* Data accesses to a memory with wait states: each costs `ws` extra cycles (LSU). Only
   boards with such memories install it (a memory hook slows every access down). */
typedef struct {
    tcs_state *st;
    uint32_t ws;
} tcs_wait;

tcs_wait *tcs_wait_new(tcs_state *st, uint32_t ws)
{
    tcs_wait *w = calloc(1, sizeof *w);
    if (w)
        *w = (tcs_wait){st, ws};
    return w;
}

/* XPSR's IT/ICI bits: [26:25] and [15:10]. */
#define TCS_XPSR_IT_MASK 0x0600FC00u

/*
 * Every native memory hook must call this before returning.
 *
 * QEMU keeps the IT state in the translation (TB flags and the translator's own
 * condexec), and its invariant is that the CPU's condexec_bits field is zero while a TB
 * runs: it is written only on the way out of a TB that ends inside an IT block, or when
 * an exception unwinds the state. Unicorn, to give memory hooks a precise PC, restores
 * the state of the accessing instruction before it calls them, and that writes the IT
 * state of a load or store inside an IT block into condexec_bits. The TB then goes on
 * and ends normally, leaving stale IT bits that become the flags of the next TB: code
 * after the IT block is translated as if inside one (16-bit ALU instructions stop
 * setting flags, conditions apply), so the firmware computes wrong results. Clearing the
 * bits restores the invariant; the running TB keeps its own (correct) IT state.
 */
static inline void restore_it_invariant(uc_engine *uc)
{
    /* EPSR: only the T and IT bits, so the flags are neither computed nor written. */
    uint32_t epsr = 0;
    uc_reg_read(uc, UC_ARM_REG_EPSR, &epsr);
    if (__builtin_expect(epsr & TCS_XPSR_IT_MASK, 0)) {
        epsr &= ~TCS_XPSR_IT_MASK;
        uc_reg_write(uc, UC_ARM_REG_EPSR, &epsr);
    }
}

void tcs_wait_hook(uc_engine *uc, uc_mem_type type, uint64_t address, int size, int64_t value, void *user)
{
    tcs_wait *w = user;
    tcs_shared *sh = &w->st->sh;
    (void)type; (void)address; (void)size; (void)value;
    restore_it_invariant(uc);
    sh->cycles += w->ws;
    sh->block_start_cycles += w->ws;
    sh->site_lsu += w->ws;
}

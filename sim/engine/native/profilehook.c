/*
 * Native call-stack profiler: a tcs_observer_fn (see cyclehook.c) that keeps a shadow call
 * stack and a calling-context tree (CCT) while the firmware runs, without Python per block.
 *
 * After each counted block the observer
 *   1. takes the cycles added since its previous call that are not the block's own cost
 *      (instruction-site corrections of the previous block, sleep) and books them;
 *   2. resolves how the previous block left: a call (BL/BLX) pushes a frame for the callee
 *      (the function holding this block) expecting a return to the previous block's
 *      fallthrough; a return pops frames down to the one expecting this address (none
 *      matching: the stack stays); any other branch landing in another function is a tail
 *      call and replaces the top frame;
 *   3. charges the block's cycles (its static cost plus the pipeline refill it paid) and
 *      instructions to the node of the top frame.
 * Exception entry and return come from Python (they are rare): entry pushes a synthetic frame
 * per exception, return pops down to it. Python also passes the run's sleep and instruction
 * totals at those points, so that what the hook cannot see (a fault rolling a block back)
 * is reconciled there. Every cycle is charged exactly once: the nodes' self cycles sum to
 * the cycles elapsed since the profiler was attached.
 *
 * Functions are identified by a key (the start address of the ELF symbol holding an
 * address), obtained from Python once per distinct block address with the interval of
 * addresses that share it, and cached here. The hot path first tries the interval of the
 * previous block (a loop stays in its function), then the one saved with the frame a return
 * lands in, and only then the hash table.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <stddef.h>

#define TCS_ABI_DEFINE_ITEMS
#include "tcs_abi.h"   /* tcs_block, prof_node, prof_func, the PROF_KEY_* numbers */

#define PROF_NEVER        0xFFFFFFFFu  /* a return address no landing matches (landings are even) */
#define PROF_EXC_RESERVE  PROF_EXC_COUNT /* stack frames kept for exceptions beyond max_depth */

enum { PEND_NONE = 0, PEND_CALL = 1, PEND_RETURN = 2, PEND_JUMP = 3 };

/* An interval of addresses [lo, lo + span) whose function is `func`. */
typedef struct {
    uint32_t lo, span, func;
} prof_range;

typedef struct {
    uint32_t node;
    uint32_t ret;       /* expected return address, PROF_NEVER for synthetic frames */
    prof_range caller;  /* the caller's interval when the frame was pushed */
} prof_frame;

/* An open-addressing table of item indices (index + 1, 0 = empty), hashed by the item. */
typedef struct {
    uint32_t *slots;
    uint32_t mask;
} prof_index;

/* Python: the function key of addr, and the interval [*lo, *hi) sharing that key. */
typedef uint32_t (*prof_key_fn)(uint32_t addr, uint32_t *lo, uint32_t *hi);

typedef struct {
    /* live counters of the accounting hook (tcs_shared fields) */
    const uint64_t *refill_cycles;
    const int64_t *site_cpi, *site_lsu;
    prof_key_fn key_of;

    prof_node *nodes;
    uint32_t nnodes, node_cap, node_limit;
    prof_index children;        /* (parent, key) -> node */

    prof_func *funcs;
    uint32_t nfuncs, func_cap;
    prof_index func_index;      /* key -> func */

    uint32_t *addr_keys;        /* block address -> its interval, open addressing */
    prof_range *addr_vals;      /* span 0 = empty */
    uint32_t addr_mask, naddr;
    prof_range cur;             /* the interval of the last block resolved */

    prof_frame *stack;
    uint32_t depth, max_depth;
    uint32_t top;               /* node of the top frame (0, the root, when empty) */

    uint32_t pending, pending_ret, prev_addr, have_prev;
    uint64_t last_cycles, last_refill;
    int64_t last_site;
    int64_t sleep_attributed;
    int64_t insn_total;

    uint64_t merged_calls;      /* calls beyond max_depth, charged to the caller */
    uint64_t unmatched_returns; /* returns whose landing matched no frame */
    uint64_t dropped_nodes;     /* contexts not created (node_limit or memory) */
} prof_state;

static uint32_t hash32(uint32_t x)
{
    x ^= x >> 16;
    x *= 0x7feb352du;
    x ^= x >> 15;
    x *= 0x846ca68bu;
    x ^= x >> 16;
    return x;
}

typedef uint32_t (*prof_item_hash)(const prof_state *p, uint32_t item);

static uint32_t free_slot(const prof_index *t, uint32_t hash)
{
    uint32_t s = hash & t->mask;
    while (t->slots[s])
        s = (s + 1) & t->mask;
    return s;
}

/* Room for one more item beyond items [first, count): doubles the table before it gets
   more than half full. -1 when out of memory. */
static int index_reserve(const prof_state *p, prof_index *t, uint32_t first, uint32_t count,
                         prof_item_hash hash)
{
    if ((count + 1) * 2 <= t->mask + 1)
        return 0;
    prof_index bigger = {calloc((size_t)t->mask * 2 + 2, sizeof *t->slots), t->mask * 2 + 1};
    if (!bigger.slots)
        return -1;
    for (uint32_t i = first; i < count; i++)
        bigger.slots[free_slot(&bigger, hash(p, i))] = i + 1;
    free(t->slots);
    *t = bigger;
    return 0;
}

/* -- function keys ---------------------------------------------------------------- */

static uint32_t func_hash(const prof_state *p, uint32_t i)
{
    return hash32(p->funcs[i].key);
}

static int64_t func_index_of_key(prof_state *p, uint32_t key)
{
    uint32_t s = hash32(key) & p->func_index.mask;
    for (uint32_t v; (v = p->func_index.slots[s]) != 0; s = (s + 1) & p->func_index.mask)
        if (p->funcs[v - 1].key == key)
            return v - 1;
    if (index_reserve(p, &p->func_index, 0, p->nfuncs, func_hash) < 0)
        return 0;       /* index 0 is the unknown function */
    if (p->nfuncs == p->func_cap) {
        prof_func *nf = realloc(p->funcs, 2 * p->func_cap * sizeof *nf);
        if (!nf)
            return 0;
        p->funcs = nf;
        p->func_cap *= 2;
    }
    uint32_t i = p->nfuncs++;
    memset(&p->funcs[i], 0, sizeof p->funcs[i]);
    p->funcs[i].key = key;
    p->func_index.slots[free_slot(&p->func_index, hash32(key))] = i + 1;
    return i;
}

static inline uint32_t addr_hash(uint32_t addr, uint32_t mask)
{
    return ((addr >> 1) * 2654435761u) & mask;
}

static int grow_addr_cache(prof_state *p)
{
    uint32_t nmask = p->addr_mask * 2 + 1;
    uint32_t *nk = calloc(nmask + 1, sizeof *nk);
    prof_range *nv = calloc(nmask + 1, sizeof *nv);
    if (!nk || !nv) {
        free(nk); free(nv);
        return -1;
    }
    for (uint32_t i = 0; i <= p->addr_mask; i++) {
        if (!p->addr_vals[i].span)
            continue;
        uint32_t t = addr_hash(p->addr_keys[i], nmask);
        while (nv[t].span)
            t = (t + 1) & nmask;
        nk[t] = p->addr_keys[i];
        nv[t] = p->addr_vals[i];
    }
    free(p->addr_keys); free(p->addr_vals);
    p->addr_keys = nk; p->addr_vals = nv;
    p->addr_mask = nmask;
    return 0;
}

/* The interval holding `addr`; asks Python once per new block address. */
static prof_range range_lookup(prof_state *p, uint32_t addr)
{
    uint32_t s = addr_hash(addr, p->addr_mask);
    while (p->addr_vals[s].span) {
        if (p->addr_keys[s] == addr)
            return p->addr_vals[s];
        s = (s + 1) & p->addr_mask;
    }
    uint32_t lo = addr, hi = addr + 1;
    uint32_t key = p->key_of(addr, &lo, &hi);
    if (lo > addr || hi <= addr)
        lo = addr, hi = addr + 1;
    prof_range r = {lo, hi - lo, (uint32_t)func_index_of_key(p, key)};
    if ((p->naddr + 1) * 2 > p->addr_mask + 1) {
        if (grow_addr_cache(p) < 0)
            return r;
        s = addr_hash(addr, p->addr_mask);
        while (p->addr_vals[s].span)
            s = (s + 1) & p->addr_mask;
    }
    p->addr_keys[s] = addr;
    p->addr_vals[s] = r;
    p->naddr++;
    return r;
}

static inline int in_range(const prof_range *r, uint32_t addr)
{
    return addr - r->lo < r->span;
}

/* The function holding `addr` (index into funcs); the block at addr becomes current. */
static inline uint32_t func_of(prof_state *p, uint32_t addr)
{
    if (__builtin_expect(!in_range(&p->cur, addr), 0))
        p->cur = range_lookup(p, addr);
    return p->cur.func;
}

/* The same without changing the current interval. */
static uint32_t func_at(prof_state *p, uint32_t addr)
{
    if (in_range(&p->cur, addr))
        return p->cur.func;
    return range_lookup(p, addr).func;
}

/* -- the calling-context tree --------------------------------------------------------- */

static uint32_t child_hash(uint32_t parent, uint32_t key)
{
    return hash32(parent * 0x9e3779b9u ^ key);
}

static uint32_t node_hash(const prof_state *p, uint32_t i)
{
    return child_hash(p->nodes[i].parent, p->nodes[i].key);
}

/* The child of `parent` for `key`, created on first use; `parent` itself when no more
   nodes may be created. */
static uint32_t child_of(prof_state *p, uint32_t parent, uint32_t key)
{
    prof_index *t = &p->children;
    uint32_t s = child_hash(parent, key) & t->mask;
    for (uint32_t v; (v = t->slots[s]) != 0; s = (s + 1) & t->mask) {
        const prof_node *n = &p->nodes[v - 1];
        if (n->parent == parent && n->key == key)
            return v - 1;
    }
    if (p->nnodes >= p->node_limit || index_reserve(p, t, 1, p->nnodes, node_hash) < 0) {
        p->dropped_nodes++;
        return parent;
    }
    if (p->nnodes == p->node_cap) {
        prof_node *nn = realloc(p->nodes, 2 * (size_t)p->node_cap * sizeof *nn);
        if (!nn) {
            p->dropped_nodes++;
            return parent;
        }
        p->nodes = nn;
        p->node_cap *= 2;
    }
    uint32_t id = p->nnodes++;
    p->nodes[id] = (prof_node){.key = key, .parent = parent};
    t->slots[free_slot(t, child_hash(parent, key))] = id + 1;
    return id;
}

static inline uint32_t top_node(const prof_state *p)
{
    return p->top;
}

static void set_depth(prof_state *p, uint32_t depth)
{
    p->depth = depth;
    p->top = depth ? p->stack[depth - 1].node : 0;
}

static inline int is_exception_key(uint32_t key)
{
    return key >= PROF_KEY_EXC_BASE && key < PROF_KEY_EXC_BASE + PROF_EXC_COUNT;
}

/* Pushes a frame for `key` under the top frame; beyond max_depth (exception frames:
   beyond the reserve) the callee stays charged to the caller. */
static void push(prof_state *p, uint32_t key, uint32_t ret, int synthetic)
{
    uint32_t limit = p->max_depth + (synthetic ? PROF_EXC_RESERVE : 0);
    if (p->depth >= limit) {
        p->merged_calls++;
        return;
    }
    uint32_t id = child_of(p, top_node(p), key);
    p->nodes[id].calls++;
    p->stack[p->depth++] = (prof_frame){id, ret, p->cur};
    p->top = id;
}

/* The top frame becomes a sibling for `key`, keeping its return address (tail call). */
static void replace(prof_state *p, uint32_t key)
{
    prof_frame *f = &p->stack[p->depth - 1];
    if (is_exception_key(p->nodes[f->node].key) || f->node == 0) {
        push(p, key, PROF_NEVER, 0);
        return;
    }
    uint32_t id = child_of(p, p->nodes[f->node].parent, key);
    p->nodes[id].calls++;
    f->node = id;
    p->top = id;
}

/* A return landed at `addr`: pop down to the frame expecting it, never past an exception
   frame (a handler does not return into the code it interrupted by a plain return). */
static void pop_to(prof_state *p, uint32_t addr)
{
    for (uint32_t i = p->depth; i-- > 0;) {
        const prof_frame *f = &p->stack[i];
        if (f->ret == addr) {
            if (in_range(&f->caller, addr))
                p->cur = f->caller;
            set_depth(p, i);
            return;
        }
        if (f->ret == PROF_NEVER && is_exception_key(p->nodes[f->node].key))
            break;
    }
    p->unmatched_returns++;
}

/* Resolves the pending control transfer for a block starting at addr; returns the index
   of the function holding addr. */
static uint32_t transition(prof_state *p, uint32_t addr)
{
    uint32_t pending = p->pending;
    p->pending = PEND_NONE;
    if (pending == PEND_CALL) {
        prof_range callee = in_range(&p->cur, addr) ? p->cur : range_lookup(p, addr);
        push(p, p->funcs[callee.func].key, p->pending_ret, 0);   /* saves the caller's interval */
        p->cur = callee;
        return callee.func;
    }
    if (pending == PEND_RETURN && addr != p->pending_ret)   /* else: a conditional return not taken */
        pop_to(p, addr);
    uint32_t fi = func_of(p, addr);
    uint32_t key = p->funcs[fi].key;
    if (!p->depth)
        push(p, key, PROF_NEVER, 0);
    else if (p->nodes[top_node(p)].key != key)
        replace(p, key);
    return fi;
}

static void add_sleep(prof_state *p, uint32_t node, int64_t cycles)
{
    uint32_t id = child_of(p, node, PROF_KEY_SLEEP);
    p->nodes[id].cycles += cycles;
    p->nodes[id].calls++;
    p->sleep_attributed += cycles;
}

/* Site corrections belong to the previous block (its instructions ran after its hook). */
static void add_site(prof_state *p, uint32_t node, int64_t site_d)
{
    p->nodes[node].cycles += site_d;
    p->funcs[p->have_prev ? func_at(p, p->prev_addr) : 0].site += site_d;
}

/* -- the observer (hot path) ------------------------------------------------------------ */

void prof_observe(void *ctx, const tcs_block *blk, uint32_t addr, uint64_t cycles)
{
    prof_state *p = ctx;
    uint64_t refill = *p->refill_cycles;
    int64_t site = *p->site_cpi + *p->site_lsu;
    int64_t refill_d = (int64_t)(refill - p->last_refill);
    int64_t site_d = site - p->last_site;
    int64_t extra = (int64_t)(cycles - p->last_cycles) - (int64_t)blk->cycles - refill_d - site_d;
    p->last_cycles = cycles;
    p->last_refill = refill;
    p->last_site = site;
    if (__builtin_expect((site_d | extra) != 0, 0)) {
        uint32_t cur = top_node(p);
        if (site_d)
            add_site(p, cur, site_d);
        if (extra)          /* between two blocks with no exception: the core slept */
            add_sleep(p, cur, extra);
    }
    uint32_t fi = UINT32_MAX;
    if (p->pending == PEND_JUMP && in_range(&p->cur, addr)) {
        fi = p->cur.func;       /* a branch within the function: the common case */
        p->pending = PEND_NONE;
    } else if (p->pending != PEND_NONE || __builtin_expect(!p->depth, 0)) {
        fi = transition(p, addr);
    }
    prof_node *n = &p->nodes[top_node(p)];
    n->cycles += (int64_t)blk->cycles + refill_d;
    n->insns += blk->ninsn;
    p->insn_total += blk->ninsn;
    if (refill_d) {
        if (fi == UINT32_MAX)
            fi = func_of(p, addr);
        p->funcs[fi].refill += refill_d;
    }
    p->pending = blk->flow == TCS_FLOW_CALL ? PEND_CALL
               : blk->flow == TCS_FLOW_RETURN ? PEND_RETURN
               : blk->end != TCS_END_SEQUENTIAL ? PEND_JUMP : PEND_NONE;
    p->pending_ret = addr + blk->size;
    p->prev_addr = addr;
    p->have_prev = 1;
}

/* -- Python's side: exceptions, reconciliation, results --------------------------------- */

/* Books everything up to `cycles` (the run's cycles before any exception overhead not yet
   booked): the run's sleep and instruction totals say how much is sleep and how many
   instructions a fault took back; the rest (a rollback) goes to the current context. */
void prof_sync(prof_state *p, uint64_t cycles, int64_t sleep_total, int64_t insn_total)
{
    uint32_t cur = top_node(p);
    int64_t site = *p->site_cpi + *p->site_lsu;
    int64_t site_d = site - p->last_site;
    int64_t delta = (int64_t)(cycles - p->last_cycles);
    int64_t sleep_new = sleep_total - p->sleep_attributed;
    p->last_site = site;
    p->last_refill = *p->refill_cycles;
    p->last_cycles = cycles;
    if (site_d)
        add_site(p, cur, site_d);
    if (sleep_new)
        add_sleep(p, cur, sleep_new);
    int64_t rest = delta - site_d - sleep_new;
    uint32_t fi = p->have_prev ? func_at(p, p->prev_addr) : 0;
    if (rest) {
        p->nodes[cur].cycles += rest;
        p->funcs[fi].corr_cycles += rest;
    }
    int64_t di = insn_total - p->insn_total;
    if (di) {
        p->nodes[cur].insns += di;
        p->funcs[fi].corr_insns += di;
        p->insn_total = insn_total;
    }
}

/* Exception `exc` taken with `return_address` stacked; `overhead` cycles of entry are
   charged to its frame. `cycles_before` excludes them; `cycles_now` includes them. */
uint32_t prof_exception_entry(prof_state *p, uint32_t exc, uint32_t return_address,
                              uint64_t cycles_before, int64_t overhead, uint64_t cycles_now,
                              int64_t sleep_total, int64_t insn_total)
{
    prof_sync(p, cycles_before, sleep_total, insn_total);
    if (p->pending != PEND_NONE)
        transition(p, return_address & ~1u);
    push(p, PROF_KEY_EXC_BASE + (exc % PROF_EXC_COUNT), PROF_NEVER, 1);
    uint32_t id = top_node(p);
    p->nodes[id].cycles += overhead;
    /* The handler's first block pushes the handler's frame. */
    p->pending = PEND_CALL;
    p->pending_ret = PROF_NEVER;
    p->last_cycles = cycles_now;
    return id;
}

/* Return from the innermost exception: pops its frame; returns its node, charged with
   `overhead` cycles of return. */
uint32_t prof_exception_return(prof_state *p, uint64_t cycles_before, int64_t overhead,
                               uint64_t cycles_now, int64_t sleep_total, int64_t insn_total)
{
    prof_sync(p, cycles_before, sleep_total, insn_total);
    p->pending = PEND_NONE;      /* the handler's last block returned to EXC_RETURN */
    uint32_t id = top_node(p);
    for (uint32_t i = p->depth; i-- > 0;) {
        const prof_frame *f = &p->stack[i];
        if (f->ret == PROF_NEVER && is_exception_key(p->nodes[f->node].key)) {
            id = f->node;
            set_depth(p, i);
            break;
        }
    }
    p->nodes[id].cycles += overhead;
    p->last_cycles = cycles_now;
    return id;
}

/* Signed cycles for a node (a tail-chained entry re-books the previous return). */
void prof_add_cycles(prof_state *p, uint32_t node, int64_t cycles)
{
    if (node < p->nnodes)
        p->nodes[node].cycles += cycles;
}

void prof_free(prof_state *p)
{
    if (!p)
        return;
    free(p->nodes); free(p->children.slots); free(p->funcs); free(p->func_index.slots);
    free(p->addr_keys); free(p->addr_vals); free(p->stack);
    free(p);
}

prof_state *prof_new(const uint64_t *refill_cycles, const int64_t *site_cpi, const int64_t *site_lsu,
                     prof_key_fn key_of, uint32_t max_depth, uint32_t node_limit,
                     uint64_t cycles, int64_t insn_total, int64_t sleep_total)
{
    prof_state *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->refill_cycles = refill_cycles;
    p->site_cpi = site_cpi;
    p->site_lsu = site_lsu;
    p->key_of = key_of;
    p->max_depth = max_depth ? max_depth : 1;
    p->node_limit = node_limit < 2 ? 2 : node_limit;
    p->node_cap = 4096;
    p->nodes = calloc(p->node_cap, sizeof *p->nodes);
    p->children = (prof_index){calloc(8192, sizeof(uint32_t)), 8192 - 1};
    p->func_cap = 1024;
    p->funcs = calloc(p->func_cap, sizeof *p->funcs);
    p->func_index = (prof_index){calloc(2048, sizeof(uint32_t)), 2048 - 1};
    p->addr_mask = 8192 - 1;
    p->addr_keys = calloc(p->addr_mask + 1, sizeof *p->addr_keys);
    p->addr_vals = calloc(p->addr_mask + 1, sizeof *p->addr_vals);
    p->cur = (prof_range){0, 0, 0};
    p->stack = calloc((size_t)p->max_depth + PROF_EXC_RESERVE, sizeof *p->stack);
    if (!p->nodes || !p->children.slots || !p->funcs || !p->func_index.slots || !p->addr_keys
        || !p->addr_vals || !p->stack) {
        prof_free(p);
        return NULL;
    }
    p->nodes[0] = (prof_node){.key = PROF_KEY_ROOT, .parent = 0};
    p->nnodes = 1;
    func_index_of_key(p, PROF_KEY_UNKNOWN);   /* index 0 */
    p->last_cycles = cycles;
    p->last_refill = *refill_cycles;
    p->last_site = *site_cpi + *site_lsu;
    p->insn_total = insn_total;
    p->sleep_attributed = sleep_total;
    return p;
}

uint32_t prof_node_count(const prof_state *p) { return p->nnodes; }
uint32_t prof_func_count(const prof_state *p) { return p->nfuncs; }

void prof_copy_nodes(const prof_state *p, prof_node *out)
{
    memcpy(out, p->nodes, (size_t)p->nnodes * sizeof *out);
}

void prof_copy_funcs(const prof_state *p, prof_func *out)
{
    memcpy(out, p->funcs, (size_t)p->nfuncs * sizeof *out);
}

/* merged calls, unmatched returns, dropped nodes, current depth */
void prof_stats(const prof_state *p, uint64_t out[4])
{
    out[0] = p->merged_calls;
    out[1] = p->unmatched_returns;
    out[2] = p->dropped_nodes;
    out[3] = p->depth;
}

/*
 * Native device windows: a memory-mapped window whose accesses a native device model
 * (an accelerator's Verilator model) serves without a round trip through Python.
 *
 * Every access still happens at the accessing instruction's exact cycle, found as
 * accounting.locate finds it (the same cursor over the block's loads and stores, kept
 * in tcs_shared), and the device is advanced there as RtlBusDevice.advance_to does
 * (busy cycles simulated, idle stretches past `settle` skipped). What Python's observers
 * need (offload verification, driver-usage checks) is logged and drained in order.
 *
 * Anything this file does not handle goes to Python's callbacks unchanged: a window not
 * (or no longer) served natively, an access a register does not decode, the word Python
 * always serves (IRQ_ENABLE, which decides whether interrupts follow the device), sizes
 * or alignments the bus refuses, and accesses whose instruction cannot be located.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unicorn/unicorn.h>

#define TCS_ABI_DEFINE_ITEMS
#include "tcs_abi.h"   /* tcs_shared, tcs_access_site, tcs_port_access, tcs_port_shared */

/* Python's side: the window's own callbacks, the site tables, draining the log. */
typedef uint64_t (*port_read_fn)(uint32_t offset, uint32_t size);
typedef void (*port_write_fn)(uint32_t offset, uint32_t size, uint64_t value);
typedef int32_t (*sites_fn)(int64_t block);   /* calls loc_set_sites for the block; 0 on success */
typedef void (*drain_fn)(void);

/* The device model's entry points (the Verilator harness of rtl/verilator_backend.py). */
typedef uint32_t (*dev_access_fn)(void *dev, uint32_t addr, uint32_t we, uint32_t be, uint32_t wdata);
typedef void (*dev_tick_fn)(void *dev, uint64_t count);
typedef uint64_t (*dev_tick_while_busy_fn)(void *dev, uint64_t limit);
typedef uint32_t (*dev_flag_fn)(void *dev);

/* -- locating the accessing instruction ------------------------------------------------- */

typedef struct {
    tcs_access_site *sites;   /* NULL: not known yet */
    uint32_t count;
} block_sites;

typedef struct {
    uc_engine *uc;
    tcs_shared *sh;
    sites_fn need_sites;
    block_sites *blocks;
    uint64_t nblocks;
} locator;

locator *loc_new(uc_engine *uc, tcs_shared *sh, sites_fn need_sites)
{
    locator *loc = calloc(1, sizeof *loc);
    if (!loc)
        return NULL;
    loc->uc = uc;
    loc->sh = sh;
    loc->need_sites = need_sites;
    return loc;
}

void loc_forget(locator *loc, int64_t block)
{
    if (block >= 0 && (uint64_t)block < loc->nblocks) {
        free(loc->blocks[block].sites);
        loc->blocks[block].sites = NULL;
    }
}

void loc_free(locator *loc)
{
    if (!loc)
        return;
    for (uint64_t i = 0; i < loc->nblocks; ++i)
        free(loc->blocks[i].sites);
    free(loc->blocks);
    free(loc);
}

/* The block's loads and stores in instruction order (Python gives them on request). */
int32_t loc_set_sites(locator *loc, int64_t block, const tcs_access_site *sites, uint32_t count)
{
    if (block < 0)
        return -1;
    if ((uint64_t)block >= loc->nblocks) {
        uint64_t n = loc->nblocks ? loc->nblocks : 64;
        while (n <= (uint64_t)block)
            n *= 2;
        block_sites *grown = realloc(loc->blocks, n * sizeof *grown);
        if (!grown)
            return -1;
        memset(grown + loc->nblocks, 0, (n - loc->nblocks) * sizeof *grown);
        loc->blocks = grown;
        loc->nblocks = n;
    }
    tcs_access_site *copy = malloc((count ? count : 1) * sizeof *copy);
    if (!copy)
        return -1;
    memcpy(copy, sites, count * sizeof *copy);
    free(loc->blocks[block].sites);
    loc->blocks[block].sites = copy;
    loc->blocks[block].count = count;
    return 0;
}

static uint32_t reg(const locator *loc, int32_t id)
{
    uint32_t value = 0;
    uc_reg_read(loc->uc, id, &value);
    return value;
}

static int covers(const locator *loc, const tcs_access_site *s, uint32_t address)
{
    if (s->kind == TCS_MEM_LIST) {
        int64_t base = reg(loc, s->base);
        return base - (int64_t)s->span <= (int64_t)address && (int64_t)address < base + (int64_t)s->span;
    }
    if (s->kind != TCS_MEM_SINGLE)
        return 0;
    uint32_t ea = reg(loc, s->base);
    if (!s->post_indexed) {
        ea += (uint32_t)s->disp;
        if (s->offset_reg >= 0) {
            uint32_t scaled = reg(loc, s->offset_reg) << s->lshift;
            ea = s->subtracted ? ea - scaled : ea + scaled;
        }
    }
    return (uint64_t)ea <= address && (uint64_t)address < (uint64_t)ea + 8;
}

/* The site of the access at `address` in the running block, moving the shared cursor on
   as accounting._locate does; NULL when Python must decide (no block, no load/store). */
static const tcs_access_site *locate(locator *loc, uint32_t address)
{
    tcs_shared *sh = loc->sh;
    int64_t block = sh->cur_block;
    if (block < 0)
        return NULL;
    if ((uint64_t)block >= loc->nblocks || !loc->blocks[block].sites) {
        if (loc->need_sites(block) != 0 || (uint64_t)block >= loc->nblocks || !loc->blocks[block].sites)
            return NULL;
    }
    const block_sites *bs = &loc->blocks[block];
    if (sh->cursor_block != block || sh->cursor_ring != sh->recent_pos) {
        sh->cursor_block = block;
        sh->cursor_ring = sh->recent_pos;
        sh->cursor = 0;
    }
    const tcs_access_site *first = NULL;
    for (uint32_t k = 0; k < bs->count; ++k) {
        const tcs_access_site *s = &bs->sites[k];
        if (s->index < sh->cursor)
            continue;
        if (!first)
            first = s;
        if (covers(loc, s, address)) {
            sh->cursor = s->stays ? s->index : s->index + 1;
            return s;
        }
    }
    if (first)
        sh->cursor = first->index + 1;
    return first;
}

/* -- the window ------------------------------------------------------------------------- */

typedef struct {
    tcs_port_shared sh;
    tcs_port_access log[TCS_PORT_LOG];
    locator *loc;
    uint32_t base;         /* the window's bus address */
    port_read_fn py_read;
    port_write_fn py_write;
    drain_fn drain;
    void *dev;
    dev_access_fn dev_access;
    dev_tick_fn dev_tick;
    dev_tick_while_busy_fn dev_tick_while_busy;
    dev_flag_fn dev_busy, dev_irq;
} port;

port *port_new(locator *loc, port_read_fn py_read, port_write_fn py_write, drain_fn drain)
{
    port *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->loc = loc;
    p->py_read = py_read;
    p->py_write = py_write;
    p->drain = drain;
    p->sh.python_word = 0xFFFFFFFFu;
    return p;
}

void port_free(port *p) { free(p); }
tcs_port_shared *port_shared(port *p) { return &p->sh; }
tcs_port_access *port_log(port *p) { return p->log; }

/* The device model serving the window (NULL entry points: Python serves it). */
void port_set_device(port *p, void *dev, dev_access_fn access, dev_tick_fn tick,
                     dev_tick_while_busy_fn tick_while_busy, dev_flag_fn busy, dev_flag_fn irq)
{
    p->dev = dev;
    p->dev_access = access;
    p->dev_tick = tick;
    p->dev_tick_while_busy = tick_while_busy;
    p->dev_busy = busy;
    p->dev_irq = irq;
}

static int served_here(const port *p, uint32_t offset, uint32_t size)
{
    if (!p->sh.native || !p->dev)
        return 0;
    if ((size != 1 && size != 2 && size != 4) || offset % size || offset >= p->sh.window)
        return 0;
    uint32_t word = offset >> 2;
    if (word >= TCS_PORT_WORDS || (offset & ~3u) == p->sh.python_word)
        return 0;
    return (p->sh.decoded[word >> 5] >> (word & 31)) & 1;
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* RtlBusDevice.advance_to: busy cycles are simulated; of an idle stretch only the first
   `settle` cycles (the state is a fixed point after them). */
static void advance_to(port *p, uint64_t cycle)
{
    tcs_port_shared *s = &p->sh;
    if (cycle <= s->cycle)
        return;
    uint64_t remaining = cycle - s->cycle;
    if (p->dev_busy(p->dev)) {
        remaining -= p->dev_tick_while_busy(p->dev, remaining);
        s->quiet = 0;
    }
    if (remaining > 0) {
        uint64_t simulate = remaining;
        if (s->fast_forward) {
            uint64_t left = s->quiet < s->settle ? s->settle - s->quiet : 0;
            simulate = remaining < left ? remaining : left;
        }
        if (simulate) {
            p->dev_tick(p->dev, simulate);
            s->quiet += simulate;
        }
        s->skipped += remaining - simulate;
    }
    s->cycle = cycle;
}

/* One access at the located instruction's cycle; returns the value the instruction gets. */
static uint32_t serve(port *p, const tcs_access_site *site, uint32_t offset, uint32_t size, int write,
                      uint32_t value)
{
    tcs_port_shared *s = &p->sh;
    uint64_t started = now_ns();
    advance_to(p, p->loc->sh->block_start_cycles + site->prefix);
    uint32_t busy = p->dev_busy(p->dev) != 0;
    uint32_t lane = offset & 3u, shift = 8 * lane;
    uint32_t size_mask = size == 4 ? 0xFFFFFFFFu : (1u << (8 * size)) - 1;
    uint32_t result = 0;
    if (write) {
        p->dev_access(p->dev, offset & ~3u, 1, ((1u << size) - 1) << lane, (value & size_mask) << shift);
    } else {
        result = (p->dev_access(p->dev, offset & ~3u, 0, 0, 0) >> shift) & size_mask;
    }
    s->cycle += 1;
    s->quiet = (write || busy) ? 0 : s->quiet + 1;
    s->wall_ns += now_ns() - started;
    s->accesses += 1;
    tcs_port_access *rec = &p->log[s->logged++];
    rec->rtl_cycle = s->cycle - 1;
    rec->pc = site->address;
    rec->offset = offset;
    rec->size = size;
    rec->write = (uint32_t)write;
    rec->value = write ? (value & size_mask) : result;
    rec->busy = busy;
    /* A full log, or an interrupt the device raised (Python follows the line): Python's turn. */
    if (s->logged == TCS_PORT_LOG || p->dev_irq(p->dev))
        p->drain();
    return result;
}

static uint64_t port_read_cb(uc_engine *uc, uint64_t offset, unsigned size, void *user)
{
    (void)uc;
    port *p = user;
    if (served_here(p, (uint32_t)offset, size)) {
        const tcs_access_site *site = locate(p->loc, p->base + (uint32_t)offset);
        if (site)
            return serve(p, site, (uint32_t)offset, size, 0, 0);
    }
    return p->py_read((uint32_t)offset, size);
}

static void port_write_cb(uc_engine *uc, uint64_t offset, unsigned size, uint64_t value, void *user)
{
    (void)uc;
    port *p = user;
    if (served_here(p, (uint32_t)offset, size)) {
        const tcs_access_site *site = locate(p->loc, p->base + (uint32_t)offset);
        if (site) {
            serve(p, site, (uint32_t)offset, size, 1, (uint32_t)value);
            return;
        }
    }
    p->py_write((uint32_t)offset, size, value);
}

/* Maps the window at `base` into the CPU with this port's callbacks. */
int32_t port_map(port *p, uc_engine *uc, uint32_t base, uint32_t size)
{
    p->base = base;
    return uc_mmio_map(uc, base, size, port_read_cb, p, port_write_cb, p) == UC_ERR_OK ? 0 : -1;
}

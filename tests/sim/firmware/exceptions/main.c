/* Exception entry and return, observed from the firmware: stacked frames, EXC_RETURN
 * values, stack alignment, the process stack, priorities, preemption, masking,
 * tail-chaining, PendSV, SVC, NMI and a relocated vector table. Every check prints what
 * it saw (tests/sim/test_sim_exceptions.py judges it). Line A is TIMER1's (the timer
 * stays off, so only software pends it), line B the board's spare line. */
#include <stdint.h>
#include <string.h>

#include "../common/events.h"
#include "fatal.h"
#include "../common/testfw.h"
#include "board.h"
#include "cpu.h"
#include "mmio.h"
#include "nvic.h"
#include "probe.h"
#include "scb.h"

#define IRQ_A IRQ_TIMER1
#define IRQ_B BOARD_IRQ_SPARE
#define PSP_STACK_WORDS 256u
/* VTOR needs the table aligned to its size rounded up to a power of two. */
#define VECTOR_TABLE_ALIGN 256u
_Static_assert(VECTOR_TABLE_ALIGN >= BOARD_VECTOR_COUNT * 4u, "vector table alignment");

typedef void (*hook_fn)(struct exception_frame *frame, uint32_t exc_return, uint32_t msp);

struct capture {
    uint32_t count, frame_addr, exc_return, msp, psp, control, icsr, iabr, hfsr, svc_number;
    struct exception_frame frame;
};

static volatile hook_fn hook_a, hook_b, hook_svc, hook_pendsv, hook_hardfault, hook_nmi;
static struct capture cap_a, cap_b, cap_svc, cap_pendsv, cap_hf, cap_nmi;
static volatile int flip_r0;   /* probes: the handler inverts the stacked r0 */
static struct event_log ev;
static uint32_t psp_stack[PSP_STACK_WORDS] __attribute__((aligned(8)));
static uint32_t ram_vectors[BOARD_VECTOR_COUNT] __attribute__((aligned(VECTOR_TABLE_ALIGN)));
extern const uintptr_t vector_table[BOARD_VECTOR_COUNT];

/* -- handlers ---------------------------------------------------------------------- */

static void capture(struct capture *c, struct exception_frame *frame, uint32_t exc_return, uint32_t msp)
{
    uint32_t psp;
    __asm volatile("mrs %0, psp" : "=r"(psp));
    c->count++;
    c->frame_addr = (uint32_t)(uintptr_t)frame;
    c->frame = *frame;
    c->exc_return = exc_return;
    c->msp = msp;
    c->psp = psp;
    c->control = read_control();
    c->icsr = mmio_read32(CSR_SCS_ICSR_ADDR);
    c->iabr = mmio_read32(CSR_SCS_NVIC_IABR_ADDR_N(0));
    c->hfsr = mmio_read32(CSR_SCS_HFSR_ADDR);
    c->svc_number = FIELD_GET(CSR_SCS_ICSR_VECTACTIVE, c->icsr) == EXC_SVCALL
                        ? ((const uint8_t *)(uintptr_t)frame->pc)[-2] : 0u;
    if (flip_r0)
        frame->r0 = ~frame->r0;
}

static void dispatch(volatile hook_fn *hook, struct exception_frame *frame, uint32_t exc_return, uint32_t msp)
{
    hook_fn fn = *hook;
    if (fn)
        fn(frame, exc_return, msp);
    else
        fatal_exception(frame);
}

#define DISPATCHER(handler, entry, hook)                                                  \
    void entry(struct exception_frame *frame, uint32_t exc_return, uint32_t msp);        \
    void entry(struct exception_frame *frame, uint32_t exc_return, uint32_t msp)         \
    {                                                                                     \
        dispatch(&hook, frame, exc_return, msp);                                          \
    }                                                                                     \
    HANDLER_WITH_CONTEXT(handler, entry)

DISPATCHER(TIMER1_IRQHandler, line_a_entry, hook_a)
DISPATCHER(BOARD_IRQ_SPARE_HANDLER, line_b_entry, hook_b)
DISPATCHER(SVC_Handler, svc_entry, hook_svc)
DISPATCHER(PendSV_Handler, pendsv_entry, hook_pendsv)
DISPATCHER(HardFault_Handler, hardfault_entry, hook_hardfault)
DISPATCHER(NMI_Handler, nmi_entry, hook_nmi)

static void pend(uint32_t irq)
{
    store_sync(CSR_SCS_STIR_ADDR, FIELD_PREP(CSR_SCS_STIR_INTID, irq));
}

/* Hooks: record (upper-case letter, capture, lower-case letter), some act in between. */
#define RECORDER(name, cap, enter, action, leave)                                          \
    static void name(struct exception_frame *frame, uint32_t exc_return, uint32_t msp)     \
    {                                                                                      \
        event(&ev, enter);                                                                 \
        capture(&cap, frame, exc_return, msp);                                             \
        action;                                                                            \
        event(&ev, leave);                                                                 \
    }

RECORDER(a_records, cap_a, 'A', (void)0, 'a')
RECORDER(b_records, cap_b, 'B', (void)0, 'b')
RECORDER(a_pends_b, cap_a, 'A', pend(IRQ_B), 'a')
RECORDER(b_pends_a, cap_b, 'B', pend(IRQ_A), 'b')
RECORDER(b_pends_pendsv, cap_b, 'B', (store_sync(CSR_SCS_ICSR_ADDR, CSR_SCS_ICSR_PENDSVSET_MASK)), 'b')
RECORDER(b_calls_svc, cap_b, 'B', call_svc(), 'b')
RECORDER(pendsv_records, cap_pendsv, 'P', (void)0, 'p')
RECORDER(svc_records, cap_svc, 'S', (void)0, 's')
RECORDER(nmi_records, cap_nmi, 'N', (void)0, 'n')

/* HardFault from an SVC that cannot be taken: clear FORCED, and step over the SVC if
 * the stacked PC points at it (it should point after it: the test checks that). */
static void hardfault_skips_svc(struct exception_frame *frame, uint32_t exc_return, uint32_t msp)
{
    event(&ev, 'H');
    capture(&cap_hf, frame, exc_return, msp);
    mmio_write32(CSR_SCS_HFSR_ADDR, CSR_SCS_HFSR_FORCED_MASK);
    if ((*(const uint16_t *)(uintptr_t)frame->pc & 0xFF00u) == 0xDF00u) /* SVC encoding T1 */
        frame->pc += 2u;
    event(&ev, 'h');
}

static void relocated_b_handler(void)
{
    event(&ev, 'R');
}

/* -- reporting ----------------------------------------------------------------------- */

static void report2(const char *prefix, const char *key, uint32_t value)
{
    printf("%s.%s=0x%08lx\n", prefix, key, (unsigned long)value);
}

static void report_capture(const char *prefix, const struct capture *c)
{
    static const char *const names[] = {"r0", "r1", "r2", "r3", "r12", "lr", "pc", "xpsr"};
    const uint32_t *words = (const uint32_t *)&c->frame;
    report2(prefix, "count", c->count);
    report2(prefix, "frame_addr", c->frame_addr);
    for (unsigned i = 0; i < 8u; i++)
        report2(prefix, names[i], words[i]);
    report2(prefix, "exc_return", c->exc_return);
    report2(prefix, "msp", c->msp);
    report2(prefix, "psp", c->psp);
    report2(prefix, "control", c->control);
    report2(prefix, "icsr", c->icsr);
    report2(prefix, "iabr", c->iabr);
    report2(prefix, "hfsr", c->hfsr);
    report2(prefix, "svc_number", c->svc_number);
}

/* Reports a case: its event log as "<name>.events" and one capture as "<name>.<which>". */
static void finish(const char *name, const char *which, const struct capture *c)
{
    char key[40];
    snprintf(key, sizeof key, "%s.events", name);
    events_report(key, &ev);
    snprintf(key, sizeof key, "%s.%s", name, which);
    report_capture(key, c);
}

static void reset_all(void)
{
    events_clear(&ev);
    memset(&cap_a, 0, sizeof cap_a);
    memset(&cap_b, 0, sizeof cap_b);
    memset(&cap_svc, 0, sizeof cap_svc);
    memset(&cap_pendsv, 0, sizeof cap_pendsv);
    memset(&cap_hf, 0, sizeof cap_hf);
    memset(&cap_nmi, 0, sizeof cap_nmi);
    hook_a = a_records;
    hook_b = b_records;
    hook_svc = svc_records;
    hook_pendsv = pendsv_records;
    hook_hardfault = 0;
    hook_nmi = nmi_records;
    flip_r0 = 0;
    nvic_set_priority(IRQ_A, 6);
    nvic_set_priority(IRQ_B, 2);
    scb_set_priority(EXC_SVCALL, 0);
    scb_set_priority(EXC_PENDSV, NVIC_PRIORITY_LOWEST);
    set_prigroup(0);
}

/* -- probes: the frame and the registers around one exception -------------------------- */

static uint32_t probe_thunk(uint32_t arg)
{
    exc_probe((struct probe *)(uintptr_t)arg);
    return 0;
}

static void run_probe(const char *name, int on_psp, int misalign, int by_irq)
{
    static const char *const regs[] = {"r0", "r1", "r2", "r3", "r12", "lr"};
    struct probe p;
    memset(&p, 0, sizeof p);
    for (unsigned i = 0; i < 6u; i++)
        p.in[i] = 0xC0DE0000u + 0x1111u * (i + 1u);
    p.misalign = (uint32_t)misalign;
    if (by_irq) {
        p.trigger_addr = CSR_SCS_STIR_ADDR;
        p.trigger_value = FIELD_PREP(CSR_SCS_STIR_INTID, IRQ_A);
    }
    reset_all();
    flip_r0 = 1;
    hook_a = svc_records;   /* the same capture for the interrupt as for the SVC */
    psp_switch_msp = 0;
    if (on_psp)
        run_on_psp(probe_thunk, (uint32_t)(uintptr_t)&p, &psp_stack[PSP_STACK_WORDS]);
    else
        exc_probe(&p);
    flip_r0 = 0;
    char key[16];
    for (unsigned i = 0; i < 6u; i++) {
        snprintf(key, sizeof key, "in_%s", regs[i]);
        report2(name, key, p.in[i]);
        snprintf(key, sizeof key, "out_%s", regs[i]);
        report2(name, key, p.out[i]);
    }
    report2(name, "sp_before", p.sp_before);
    report2(name, "sp_after", p.sp_after);
    report2(name, "control_after", p.control_after);
    report2(name, "thread_msp", psp_switch_msp);
    report2(name, "psp_stack_top", (uint32_t)(uintptr_t)&psp_stack[PSP_STACK_WORDS]);
    report_capture(name, &cap_svc);
}

/* -- priorities and ordering ---------------------------------------------------------- */

static void check_nested(void)
{
    reset_all();
    hook_a = a_pends_b;
    pend(IRQ_A);
    finish("nested", "a", &cap_a);
    report_capture("nested.b", &cap_b);
}

static void check_lower_waits(void)
{
    reset_all();
    hook_b = b_pends_a;
    pend(IRQ_B);
    finish("lower", "a", &cap_a);
}

static void check_equal_priority(void)
{
    reset_all();
    nvic_set_priority(IRQ_A, 4);
    nvic_set_priority(IRQ_B, 4);
    hook_a = a_pends_b;
    pend(IRQ_A);
    events_report("equal.events", &ev);
}

/* PRIGROUP 5: bits [7:6] are the group priority, bit 5 the subpriority. A and B share
 * group 0x40; B has the lower subpriority but the higher exception number. */
static void check_subpriority(void)
{
    reset_all();
    set_prigroup(5);
    nvic_set_priority(IRQ_A, 3);   /* 0x60 */
    nvic_set_priority(IRQ_B, 2);   /* 0x40 */
    hook_a = a_pends_b;
    pend(IRQ_A);
    events_report("subprio.no_preemption", &ev);
    events_clear(&ev);
    hook_a = a_records;
    cpu_irq_disable();
    pend(IRQ_A);
    pend(IRQ_B);
    unmask_primask();
    events_report("subprio.order", &ev);
    set_prigroup(0);
}

static void check_tail_chain(void)
{
    reset_all();
    cpu_irq_disable();
    pend(IRQ_A);
    pend(IRQ_B);
    uint32_t before = mmio_read32(CSR_DWT_EXCCNT_ADDR);
    unmask_primask();
    uint32_t after = mmio_read32(CSR_DWT_EXCCNT_ADDR);
    report2("tail", "exccnt", (after - before) & 0xFFu);
    finish("tail", "a", &cap_a);
    report_capture("tail.b", &cap_b);

    reset_all();
    cpu_irq_disable();
    pend(IRQ_A);
    before = mmio_read32(CSR_DWT_EXCCNT_ADDR);
    unmask_primask();
    after = mmio_read32(CSR_DWT_EXCCNT_ADDR);
    report2("single", "exccnt", (after - before) & 0xFFu);
}

static void check_primask(void)
{
    reset_all();
    cpu_irq_disable();
    pend(IRQ_A);
    report2("primask", "ran_masked", cap_a.count);
    report2("primask", "pending_masked", nvic_is_pending(IRQ_A));
    report2("primask", "icsr_masked", mmio_read32(CSR_SCS_ICSR_ADDR));
    unmask_primask();
    report_capture("primask.a", &cap_a);
}

static void check_basepri(void)
{
    reset_all();
    nvic_set_priority(IRQ_A, 4);
    set_basepri(NVIC_PRIORITY_VALUE(3));
    pend(IRQ_A);
    report2("basepri", "a_ran_masked", cap_a.count);
    pend(IRQ_B);
    clear_basepri();
    finish("basepri", "a", &cap_a);
    report_capture("basepri.b", &cap_b);
}

static void check_pendsv(void)
{
    reset_all();
    store_sync(CSR_SCS_ICSR_ADDR, CSR_SCS_ICSR_PENDSVSET_MASK);
    finish("pendsv_thread", "p", &cap_pendsv);

    reset_all();
    hook_b = b_pends_pendsv;
    pend(IRQ_B);
    finish("pendsv_irq", "p", &cap_pendsv);
}

static void check_svc_in_irq(void)
{
    reset_all();
    hook_b = b_calls_svc;
    pend(IRQ_B);
    finish("svc_irq", "s", &cap_svc);
}

static void check_svc_escalation(void)
{
    reset_all();
    scb_set_priority(EXC_SVCALL, 4);
    hook_b = b_calls_svc;
    hook_hardfault = hardfault_skips_svc;
    pend(IRQ_B);
    finish("svc_escalation", "h", &cap_hf);

    reset_all();
    hook_hardfault = hardfault_skips_svc;
    cpu_irq_disable();
    call_svc();
    cpu_irq_enable();
    finish("svc_primask", "h", &cap_hf);
}

static void check_nmi(void)
{
    reset_all();
    cpu_irq_disable();
    store_sync(CSR_SCS_ICSR_ADDR, CSR_SCS_ICSR_NMIPENDSET_MASK);
    cpu_irq_enable();
    finish("nmi", "n", &cap_nmi);
}

static void check_vtor(void)
{
    reset_all();
    memcpy(ram_vectors, vector_table, sizeof ram_vectors);
    ram_vectors[EXC_IRQ0 + IRQ_B] = (uint32_t)(uintptr_t)relocated_b_handler;
    uint32_t original = mmio_read32(CSR_SCS_VTOR_ADDR);
    mmio_write32(CSR_SCS_VTOR_ADDR, (uint32_t)(uintptr_t)ram_vectors);
    cpu_sync();
    report2("vtor", "table", (uint32_t)(uintptr_t)ram_vectors);
    report2("vtor", "readback", mmio_read32(CSR_SCS_VTOR_ADDR));
    report2("vtor", "original", original);
    pend(IRQ_B);
    mmio_write32(CSR_SCS_VTOR_ADDR, original);
    cpu_sync();
    pend(IRQ_B);
    events_report("vtor.events", &ev);
}

int main(void)
{
    dwt_all_counters_on();
    nvic_enable(IRQ_A);
    nvic_enable(IRQ_B);
    REPORT("line_a.exception", EXC_IRQ0 + IRQ_A);
    REPORT("line_b.exception", EXC_IRQ0 + IRQ_B);

    run_probe("svc_msp", 0, 0, 0);
    run_probe("svc_misaligned", 0, 1, 0);
    run_probe("svc_psp", 1, 0, 0);
    run_probe("svc_psp_misaligned", 1, 1, 0);
    run_probe("irq_msp", 0, 0, 1);
    run_probe("irq_psp", 1, 0, 1);
    check_nested();
    check_lower_waits();
    check_equal_priority();
    check_subpriority();
    check_tail_chain();
    check_primask();
    check_basepri();
    check_pendsv();
    check_svc_in_irq();
    check_svc_escalation();
    check_nmi();
    check_vtor();
    REPORT("thread.ipsr", read_ipsr());
    REPORT("thread.control", read_control());
    return 0;
}

/* Drives the AES and SHA-256 accelerators directly through their drivers and prints
 * every input and result, for a test to recompute with `cryptography` and hashlib:
 * AES-128/192/256 both directions, SHA-256 of messages around the padding boundaries
 * (and SHA-224), two hashes interleaved block by block, one AES block completed by its
 * interrupt while the core sleeps in WFI, and two documented misuses. Under QEMU the
 * accelerators are absent (ID reads 0) and the app says so. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "accel_aes.h"
#include "accel_sha256.h"
#include "board.h"
#include "cpu.h"
#include "dwt.h"
#include "mmio.h"
#include "nvic.h"

static uint32_t rng_state = 0x9E3779B9u;

static uint8_t next_byte(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return (uint8_t)rng_state;
}

static void fill(uint8_t *buf, size_t len)
{
    for (size_t i = 0; i < len; i++)
        buf[i] = next_byte();
}

static void print_hex(const char *label, const uint8_t *buf, size_t len)
{
    printf(" %s=", label);
    for (size_t i = 0; i < len; i++)
        printf("%02x", buf[i]);
}

static int failures;

static void check(int status, const char *what)
{
    if (status != 0) {
        printf("FAIL %s\n", what);
        failures++;
    }
}

static void aes_cases(void)
{
    static const unsigned key_sizes[] = {128u, 192u, 256u};
    uint8_t key[32], in[16], out[16];
    for (unsigned k = 0; k < 3; k++) {
        fill(key, sizeof key);
        check(accel_aes_load_key(key, key_sizes[k]), "load key");
        for (unsigned n = 0; n < 3; n++) {
            for (int decrypt = 0; decrypt < 2; decrypt++) {
                fill(in, sizeof in);
                check(accel_aes_block(decrypt, key_sizes[k], in, out), "aes block");
                printf("aes%u %s", key_sizes[k], decrypt ? "dec" : "enc");
                print_hex("key", key, key_sizes[k] / 8u);
                print_hex("in", in, sizeof in);
                print_hex("out", out, sizeof out);
                printf("\n");
            }
        }
    }
}

/* A whole message: the first block from the core's initial values, the rest chained. */
struct hash {
    uint32_t state[ACCEL_SHA256_STATE_WORDS];
    uint8_t tail[2 * ACCEL_SHA256_BLOCK_BYTES];
    size_t tail_blocks, next;
    bool sha224;
};

static void pad(struct hash *h, const uint8_t *msg, size_t len, size_t *full_blocks)
{
    *full_blocks = len / ACCEL_SHA256_BLOCK_BYTES;
    size_t rest = len % ACCEL_SHA256_BLOCK_BYTES;
    memset(h->tail, 0, sizeof h->tail);
    memcpy(h->tail, msg + *full_blocks * ACCEL_SHA256_BLOCK_BYTES, rest);
    h->tail[rest] = 0x80;
    h->tail_blocks = rest < 56 ? 1 : 2;
    uint64_t bits = (uint64_t)len * 8u;
    uint8_t *end = h->tail + h->tail_blocks * ACCEL_SHA256_BLOCK_BYTES;
    for (int i = 1; i <= 8; i++, bits >>= 8)
        end[-i] = (uint8_t)bits;
}

/* Block i of the padded message `msg` (`full` whole blocks, then the tail). */
static int hash_step(struct hash *h, const uint8_t *msg, size_t full)
{
    size_t i = h->next++;
    const uint8_t *block = i < full ? msg + i * ACCEL_SHA256_BLOCK_BYTES
                                    : h->tail + (i - full) * ACCEL_SHA256_BLOCK_BYTES;
    return i == 0 ? accel_sha256_first_block(h->state, block, h->sha224) : accel_sha256_block(h->state, block);
}

static void print_digest(const struct hash *h)
{
    printf(" digest=");
    for (unsigned i = 0; i < (h->sha224 ? 7u : 8u); i++)
        printf("%08lx", (unsigned long)h->state[i]);
}

static uint8_t message[300], other[200];

static void sha_cases(void)
{
    static const size_t lengths[] = {0, 3, 55, 56, 63, 64, 65, 119, 120, 300};
    for (unsigned n = 0; n < sizeof lengths / sizeof lengths[0]; n++) {
        for (int sha224 = 0; sha224 < (n < 2 ? 2 : 1); sha224++) {
            struct hash h = {.sha224 = sha224};
            size_t full;
            fill(message, lengths[n]);
            pad(&h, message, lengths[n], &full);
            while (h.next < full + h.tail_blocks)
                check(hash_step(&h, message, full), "sha block");
            printf("%s", sha224 ? "sha224" : "sha256");
            print_hex("msg", message, lengths[n]);
            print_digest(&h);
            printf("\n");
        }
    }
    /* Two hashes in progress at once, alternating block by block. */
    struct hash a = {0}, b = {0};
    size_t full_a, full_b;
    fill(message, 300);
    fill(other, 200);
    pad(&a, message, 300, &full_a);
    pad(&b, other, 200, &full_b);
    while (a.next < full_a + a.tail_blocks || b.next < full_b + b.tail_blocks) {
        if (a.next < full_a + a.tail_blocks)
            check(hash_step(&a, message, full_a), "sha block a");
        if (b.next < full_b + b.tail_blocks)
            check(hash_step(&b, other, full_b), "sha block b");
    }
    printf("sha256 interleaved");
    print_hex("msg", message, 300);
    print_digest(&a);
    printf("\nsha256 interleaved");
    print_hex("msg", other, 200);
    print_digest(&b);
    printf("\n");
}

static volatile bool aes_done;
static volatile uint32_t aes_done_cycle;

void AES_IRQHandler(void)
{
    aes_done_cycle = dwt_cycles();
    accel_aes_irq_ack();
    aes_done = true;
}

/* One block completed by the DONE interrupt while the core sleeps. PRIMASK is set
 * around the check-then-sleep so that the interrupt cannot slip in between; WFI wakes
 * on it anyway and the handler runs once PRIMASK is cleared. */
static void irq_case(void)
{
    uint8_t key[16], in[16], out[16];
    fill(key, sizeof key);
    fill(in, sizeof in);
    accel_aes_load_key(key, 128u);
    nvic_enable(IRQ_AES);
    cpu_irq_disable();
    uint32_t start = dwt_cycles();
    accel_aes_start_with_irq(false, 128u, in);
    unsigned sleeps = 0;
    while (!aes_done) {
        cpu_wfi();
        sleeps++;
        cpu_irq_enable();
        cpu_irq_disable();
    }
    cpu_irq_enable();
    nvic_disable(IRQ_AES);
    accel_aes_read_result(out);
    printf("aes128 enc");
    print_hex("key", key, 16);
    print_hex("in", in, 16);
    print_hex("out", out, 16);
    printf(" irq sleeps=%u cycles=%lu\n", sleeps, (unsigned long)(aes_done_cycle - start));
}

/* Two things the RTL defines for firmware that gets it wrong: reading DOUT while the
 * core is busy, and the reserved KEYLEN code 3 (which runs as a 256-bit key). */
static void misuse_case(void)
{
    uint8_t key[32], in[16], out[16];
    fill(key, sizeof key);
    fill(in, sizeof in);
    accel_aes_load_key(key, 256u);
    accel_aes_disarm();                                 /* the registers by hand from here */
    for (unsigned i = 0; i < CSR_AES_DIN_COUNT; i++) {
        uint32_t word;
        memcpy(&word, in + 4u * i, sizeof word);
        mmio_write32(CSR_AES_DIN_ADDR_N(i), word);
    }
    mmio_write32(CSR_AES_CTRL_ADDR, CSR_AES_CTRL_START_MASK | CSR_AES_CTRL_KEYLEN_MASK);
    (void)mmio_read32(CSR_AES_DOUT_ADDR_N(0));          /* early: the core is busy */
    while (!(mmio_read32(CSR_AES_STATUS_ADDR) & CSR_AES_STATUS_DONE_MASK))
        ;
    accel_aes_read_result(out);
    printf("aes256 enc");
    print_hex("key", key, 32);
    print_hex("in", in, 16);
    print_hex("out", out, 16);
    printf(" keylen=3\n");
}

int main(void)
{
    printf("accel_check on %s\n", BOARD_NAME);
    bool aes = accel_aes_present(), sha = accel_sha256_present();
    printf("aes %s, sha256 %s\n", aes ? "present" : "absent", sha ? "present" : "absent");
    if (!aes || !sha)
        return 0;
    dwt_cycle_counter_enable();
    aes_cases();
    sha_cases();
    irq_case();
    misuse_case();
    printf("blocks aes=%lu sha256=%lu\n", (unsigned long)accel_aes_blocks(), (unsigned long)accel_sha256_blocks());
    printf("%s: %d failures\n", failures ? "FAILED" : "passed", failures);
    return failures ? 1 : 0;
}

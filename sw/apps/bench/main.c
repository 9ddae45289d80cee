/* Runs the benchmark kernels and prints their parameters and checksums. */
#include <stdio.h>

#include "workload.h"

static uint8_t buffer[BUFFER_BYTES];

static void fill_buffer(void)
{
    uint32_t seed = BUFFER_SEED;
    for (size_t i = 0; i < BUFFER_BYTES; i += 4) {
        uint32_t word = xorshift32(&seed);
        for (unsigned j = 0; j < 4; j++)
            buffer[i + j] = (uint8_t)(word >> (8 * j));
    }
}

/* Each round hashes the buffer with the previous digest in its first 32 bytes. */
static void run_sha256(void)
{
    uint8_t digest[32];
    for (unsigned round = 0; round < SHA256_ROUNDS; round++) {
        if (round)
            for (unsigned i = 0; i < sizeof digest; i++)
                buffer[i] = digest[i];
        sha256(buffer, BUFFER_BYTES, digest);
    }
    printf("bench: sha256 rounds=%u bytes=%u digest=", SHA256_ROUNDS, BUFFER_BYTES);
    for (unsigned i = 0; i < sizeof digest; i++)
        printf("%02x", digest[i]);
    printf("\n");
}

int main(void)
{
    fill_buffer();
    uint32_t crc = 0;
    for (unsigned round = 0; round < CRC32_ROUNDS; round++)
        crc = crc32_update(crc, buffer, BUFFER_BYTES);
    printf("bench: crc32 rounds=%u bytes=%u seed=0x%08x crc=0x%08lx\n", CRC32_ROUNDS, BUFFER_BYTES,
           BUFFER_SEED, (unsigned long)crc);
    run_sha256();
    printf("bench: matmul n=%u rounds=%u checksum=0x%08lx\n", MATRIX_N, MATMUL_ROUNDS,
           (unsigned long)matmul_checksum());
    int sorted;
    uint32_t sum = sort_checksum(&sorted);
    printf("bench: sort elements=%u rounds=%u seed=0x%08x checksum=0x%08lx sorted=%s\n", SORT_ELEMENTS,
           SORT_ROUNDS, SORT_SEED, (unsigned long)sum, sorted ? "yes" : "no");
    return sorted ? 0 : 1;
}

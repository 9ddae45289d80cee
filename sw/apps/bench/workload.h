/* bench: a deterministic compute-bound workload (~150 M instructions) for comparing
 * simulators' speed. Each kernel prints its parameters and a checksum the tests
 * recompute on the host. */
#ifndef WORKLOAD_H
#define WORKLOAD_H

#include <stddef.h>
#include <stdint.h>

#define BUFFER_BYTES 65536u
#define BUFFER_SEED 0x12345678u
#define SHA256_ROUNDS 16u
#define CRC32_ROUNDS 16u
#define MATRIX_N 48u
#define MATMUL_ROUNDS 16u
#define SORT_ELEMENTS 16384u
#define SORT_ROUNDS 4u
#define SORT_SEED 0x9E3779B9u

/* xorshift32 (Marsaglia): the data every kernel works on. */
static inline uint32_t xorshift32(uint32_t *state)
{
    uint32_t x = *state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return *state = x;
}

void sha256(const uint8_t *data, size_t len, uint8_t digest[32]);
uint32_t crc32_update(uint32_t crc, const uint8_t *data, size_t len);
uint32_t matmul_checksum(void);
uint32_t sort_checksum(int *sorted);

#endif /* WORKLOAD_H */

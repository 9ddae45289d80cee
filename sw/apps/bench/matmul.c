/* Integer matrix multiply (32-bit wrapping), fed back into itself each round:
 * multiply-accumulate and load-heavy work. */
#include "workload.h"

static uint32_t a[MATRIX_N][MATRIX_N], b[MATRIX_N][MATRIX_N], c[MATRIX_N][MATRIX_N];

uint32_t matmul_checksum(void)
{
    uint32_t seed = BUFFER_SEED;
    for (unsigned i = 0; i < MATRIX_N; i++)
        for (unsigned j = 0; j < MATRIX_N; j++) {
            a[i][j] = xorshift32(&seed) & 0xFFu;
            b[i][j] = xorshift32(&seed) & 0xFFu;
        }
    for (unsigned round = 0; round < MATMUL_ROUNDS; round++) {
        for (unsigned i = 0; i < MATRIX_N; i++)
            for (unsigned j = 0; j < MATRIX_N; j++) {
                uint32_t sum = 0;
                for (unsigned k = 0; k < MATRIX_N; k++)
                    sum += a[i][k] * b[k][j];
                c[i][j] = sum;
            }
        for (unsigned i = 0; i < MATRIX_N; i++)
            for (unsigned j = 0; j < MATRIX_N; j++)
                a[i][j] = c[i][j] ^ (c[i][j] >> 16);
    }
    uint32_t checksum = 0;
    for (unsigned i = 0; i < MATRIX_N; i++)
        for (unsigned j = 0; j < MATRIX_N; j++)
            checksum = checksum * 31u + c[i][j];
    return checksum;
}

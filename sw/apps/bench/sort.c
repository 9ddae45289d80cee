/* Heapsort of pseudo-random words: data-dependent branches and scattered loads. */
#include "workload.h"

static uint32_t values[SORT_ELEMENTS];

static void sift_down(uint32_t *v, size_t root, size_t count)
{
    for (;;) {
        size_t child = 2 * root + 1;
        if (child >= count)
            return;
        if (child + 1 < count && v[child + 1] > v[child])
            child++;
        if (v[root] >= v[child])
            return;
        uint32_t t = v[root];
        v[root] = v[child];
        v[child] = t;
        root = child;
    }
}

static void heapsort_words(uint32_t *v, size_t count)
{
    for (size_t i = count / 2; i-- > 0;)
        sift_down(v, i, count);
    for (size_t end = count; end-- > 1;) {
        uint32_t t = v[0];
        v[0] = v[end];
        v[end] = t;
        sift_down(v, 0, end);
    }
}

/* Sorts SORT_ROUNDS fresh arrays; *sorted tells whether every result was in order. */
uint32_t sort_checksum(int *sorted)
{
    uint32_t seed = SORT_SEED, checksum = 0;
    *sorted = 1;
    for (unsigned round = 0; round < SORT_ROUNDS; round++) {
        for (size_t i = 0; i < SORT_ELEMENTS; i++)
            values[i] = xorshift32(&seed);
        heapsort_words(values, SORT_ELEMENTS);
        for (size_t i = 0; i < SORT_ELEMENTS; i++) {
            if (i && values[i - 1] > values[i])
                *sorted = 0;
            checksum = checksum * 31u + values[i];
        }
    }
    return checksum;
}

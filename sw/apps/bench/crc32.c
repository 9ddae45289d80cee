/* CRC-32 (IEEE 802.3, reflected), bit by bit: branchy, shift-heavy work. Chaining calls
 * continues the CRC as if the buffers were concatenated (zlib's crc32(crc, ...)). */
#include "workload.h"

#define CRC32_POLY_REFLECTED 0xEDB88320u

uint32_t crc32_update(uint32_t crc, const uint8_t *data, size_t len)
{
    uint32_t c = ~crc;
    for (size_t i = 0; i < len; i++) {
        c ^= data[i];
        for (unsigned bit = 0; bit < 8; bit++)
            c = (c >> 1) ^ (CRC32_POLY_REFLECTED & -(c & 1u));
    }
    return ~c;
}

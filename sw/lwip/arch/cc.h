/* lwIP's compiler and platform hooks for arm-none-eabi-gcc + newlib. */
#ifndef LWIP_ARCH_CC_H
#define LWIP_ARCH_CC_H

#include <stdio.h>
#include <stdlib.h>

/* newlib has struct timeval in <sys/time.h>; lwIP must not define its own. */
#define LWIP_TIMEVAL_PRIVATE 0
#include <sys/time.h>

#define LWIP_PLATFORM_DIAG(x) do { printf x; } while (0)
/* An lwIP assertion is a firmware bug: say where and stop with a failure status. */
#define LWIP_PLATFORM_ASSERT(x) do { printf("lwip assertion \"%s\" failed at %s:%d\n", x, __FILE__, __LINE__); \
                                     fflush(stdout); abort(); } while (0)
/* Initial sequence numbers and DHCP transaction ids (not security-relevant here). */
#define LWIP_RAND() ((u32_t)rand())

#endif /* LWIP_ARCH_CC_H */

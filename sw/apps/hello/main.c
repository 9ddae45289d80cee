/* The smallest app: a greeting on UART0, exit status 0. */
#include <stdio.h>

#include "board.h"

int main(void)
{
    printf("Hello from %s!\n", BOARD_NAME);
    return 0;
}

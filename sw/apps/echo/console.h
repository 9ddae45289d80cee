#ifndef CONSOLE_H
#define CONSOLE_H
/* The UART console: received bytes are taken by the RX interrupt (which wakes the main
 * loop); console_poll() acts on them: 's' prints the network counters. */
void console_start(void);
void console_poll(void);
#endif

/* UART0 (CMSDK APB UART): the console behind stdout, stderr and stdin. */
#ifndef UART_H
#define UART_H

void uart_init(void);
void uart_putc(char c);
void uart_puts(const char *s);
/* Blocks until a byte arrives. */
int uart_getc(void);

#endif /* UART_H */

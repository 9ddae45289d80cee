/* The system calls newlib needs on a bare board: stdout/stderr/stdin are UART0, the heap
 * grows over the linker's heap region, and exit ends the run through semihosting. */
#include <errno.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

#include "semihosting.h"
#include "uart.h"

extern char _heap_start[], _heap_end[];

static int is_console(int fd)
{
    return fd == STDIN_FILENO || fd == STDOUT_FILENO || fd == STDERR_FILENO;
}

int _write(int fd, const char *buf, int len)
{
    if (fd != STDOUT_FILENO && fd != STDERR_FILENO) {
        errno = EBADF;
        return -1;
    }
    for (int i = 0; i < len; i++)
        uart_putc(buf[i]);
    return len;
}

int _read(int fd, char *buf, int len)
{
    if (fd != STDIN_FILENO) {
        errno = EBADF;
        return -1;
    }
    if (len <= 0)
        return 0;
    buf[0] = (char)uart_getc(); /* one byte at a time: the console is interactive */
    return 1;
}

void *_sbrk(ptrdiff_t increment)
{
    static char *brk = _heap_start;
    if (increment > _heap_end - brk || increment < _heap_start - brk) {
        errno = ENOMEM;
        return (void *)-1;
    }
    char *previous = brk;
    brk += increment;
    return previous;
}

void _exit(int status)
{
    semihosting_exit(status);
}

int _isatty(int fd)
{
    if (is_console(fd))
        return 1; /* line-buffered stdout: each line leaves when it is complete */
    errno = EBADF;
    return 0;
}

int _fstat(int fd, struct stat *st)
{
    if (!is_console(fd)) {
        errno = EBADF;
        return -1;
    }
    st->st_mode = S_IFCHR;
    return 0;
}

int _close(int fd)
{
    (void)fd;
    errno = EBADF;
    return -1;
}

off_t _lseek(int fd, off_t offset, int whence)
{
    (void)fd, (void)offset, (void)whence;
    errno = ESPIPE;
    return -1;
}

int _open(const char *path, int flags, int mode)
{
    (void)path, (void)flags, (void)mode;
    errno = ENOSYS;
    return -1;
}

int _getpid(void)
{
    return 1;
}

int _kill(int pid, int sig)
{
    (void)pid, (void)sig;
    errno = EINVAL;
    return -1;
}

/* Called by __libc_init_array/__libc_fini_array; -nostartfiles leaves out crti/crtn. */
void _init(void) {}
void _fini(void) {}

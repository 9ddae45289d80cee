/* The system calls newlib needs on a bare board: stdin/stdout/stderr are UART0, any other
 * file is a host file through semihosting (so fopen works under tlscosim and QEMU), the
 * heap grows over the linker's heap region, and exit ends the run through semihosting. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "semihosting.h"
#include "uart.h"

#undef errno
extern int errno;

extern char _heap_start[], _heap_end[];

/* Semihosting handles start at 1; newlib descriptors 0-2 are the console. */
#define FIRST_FILE_FD 3
#define MAX_FILES 16

static int32_t file_position[MAX_FILES]; /* SYS_SEEK is absolute: SEEK_CUR needs this */

static int is_console(int fd)
{
    return fd == STDIN_FILENO || fd == STDOUT_FILENO || fd == STDERR_FILENO;
}

static uint32_t handle_of(int fd)
{
    return (uint32_t)(fd - FIRST_FILE_FD + 1);
}

static int32_t *position_of(int fd)
{
    int slot = fd - FIRST_FILE_FD;
    return slot >= 0 && slot < MAX_FILES ? &file_position[slot] : NULL;
}

/* A failed semihosting call: errno from the host. */
static int host_failure(void)
{
    errno = (int)semihosting_call(SYS_ERRNO, 0);
    return -1;
}

static int32_t file_call(uint32_t op, uint32_t a, uint32_t b, uint32_t c)
{
    uint32_t block[3] = {a, b, c};
    return (int32_t)semihosting_call(op, (uintptr_t)block);
}

int _open(const char *path, int flags, int mode)
{
    (void)mode;
    /* fopen's mode letters, as SYS_OPEN numbers them (always binary: no text mode here). */
    uint32_t sh_mode;
    int access = flags & O_ACCMODE;
    if (flags & O_APPEND)
        sh_mode = access == O_RDWR ? 11 : 9;
    else if (flags & (O_CREAT | O_TRUNC))
        sh_mode = access == O_RDWR ? 7 : 5;
    else
        sh_mode = access == O_RDWR ? 3 : access == O_WRONLY ? 5 : 1;
    int32_t handle = file_call(SYS_OPEN, (uint32_t)(uintptr_t)path, sh_mode, (uint32_t)strlen(path));
    if (handle == -1)
        return host_failure();
    int fd = FIRST_FILE_FD + handle - 1;
    if (position_of(fd) == NULL) {
        file_call(SYS_CLOSE, (uint32_t)handle, 0, 0);
        errno = EMFILE;
        return -1;
    }
    *position_of(fd) = 0;
    return fd;
}

int _close(int fd)
{
    if (is_console(fd))
        return 0;
    if (position_of(fd) == NULL) {
        errno = EBADF;
        return -1;
    }
    return file_call(SYS_CLOSE, handle_of(fd), 0, 0) == 0 ? 0 : host_failure();
}

int _write(int fd, const char *buf, int len)
{
    if (fd == STDOUT_FILENO || fd == STDERR_FILENO) {
        for (int i = 0; i < len; i++)
            uart_putc(buf[i]);
        return len;
    }
    int32_t *pos = position_of(fd);
    if (pos == NULL) {
        errno = EBADF;
        return -1;
    }
    int32_t left = file_call(SYS_WRITE, handle_of(fd), (uint32_t)(uintptr_t)buf, (uint32_t)len);
    if (left < 0 || left > len)
        return host_failure();
    if (left == len && len > 0)
        return host_failure();
    *pos += len - left;
    return len - left;
}

int _read(int fd, char *buf, int len)
{
    if (fd == STDIN_FILENO) {
        if (len <= 0)
            return 0;
        buf[0] = (char)uart_getc(); /* one byte at a time: the console is interactive */
        return 1;
    }
    int32_t *pos = position_of(fd);
    if (pos == NULL) {
        errno = EBADF;
        return -1;
    }
    int32_t left = file_call(SYS_READ, handle_of(fd), (uint32_t)(uintptr_t)buf, (uint32_t)len);
    if (left < 0 || left > len)
        return host_failure();
    *pos += len - left;
    return len - left; /* 0 at the end of the file */
}

off_t _lseek(int fd, off_t offset, int whence)
{
    int32_t *pos = position_of(fd);
    if (pos == NULL) {
        errno = is_console(fd) ? ESPIPE : EBADF;
        return -1;
    }
    off_t target = offset;
    if (whence == SEEK_CUR) {
        target += *pos;
    } else if (whence == SEEK_END) {
        int32_t length = file_call(SYS_FLEN, handle_of(fd), 0, 0);
        if (length < 0)
            return host_failure();
        target += length;
    } else if (whence != SEEK_SET) {
        errno = EINVAL;
        return -1;
    }
    if (target < 0) {
        errno = EINVAL;
        return -1;
    }
    if (file_call(SYS_SEEK, handle_of(fd), (uint32_t)target, 0) != 0)
        return host_failure();
    *pos = (int32_t)target;
    return target;
}

int _fstat(int fd, struct stat *st)
{
    memset(st, 0, sizeof *st);
    if (is_console(fd)) {
        st->st_mode = S_IFCHR;
        return 0;
    }
    if (position_of(fd) == NULL) {
        errno = EBADF;
        return -1;
    }
    int32_t length = file_call(SYS_FLEN, handle_of(fd), 0, 0);
    if (length < 0)
        return host_failure();
    st->st_mode = S_IFREG;
    st->st_size = length;
    st->st_blksize = 512;
    return 0;
}

int _stat(const char *path, struct stat *st)
{
    int fd = _open(path, O_RDONLY, 0);
    if (fd < 0)
        return -1;
    int ret = _fstat(fd, st);
    _close(fd);
    return ret;
}

int _isatty(int fd)
{
    if (is_console(fd))
        return 1; /* line-buffered stdout: each line leaves when it is complete */
    if (position_of(fd) == NULL) {
        errno = EBADF;
        return 0;
    }
    int32_t tty = file_call(SYS_ISTTY, handle_of(fd), 0, 0);
    if (tty < 0)
        host_failure();
    return tty == 1;
}

int _unlink(const char *path)
{
    uint32_t block[2] = {(uint32_t)(uintptr_t)path, (uint32_t)strlen(path)};
    return semihosting_call(SYS_REMOVE, (uintptr_t)block) == 0 ? 0 : host_failure();
}

int _gettimeofday(struct timeval *tv, void *tz)
{
    (void)tz;
    tv->tv_sec = (time_t)semihosting_call(SYS_TIME, 0);
    tv->tv_usec = 0;
    return 0;
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

/* The folder functions of compat/dirent.h: semihosting has no way to list a folder. */
#include <errno.h>
#include <stddef.h>

#include "compat/dirent.h"

DIR *opendir(const char *path)
{
    (void)path;
    errno = ENOSYS;
    return NULL;
}

struct dirent *readdir(DIR *dir)
{
    (void)dir;
    errno = EBADF;
    return NULL;
}

int closedir(DIR *dir)
{
    (void)dir;
    errno = EBADF;
    return -1;
}

/* <dirent.h> for Mbed TLS's MBEDTLS_FS_IO on newlib, which has none. Files are host files
 * through semihosting (sw/board/syscalls.c), and semihosting cannot list a folder: opendir()
 * fails with ENOSYS, so mbedtls_x509_crt_parse_path() returns MBEDTLS_ERR_X509_FILE_IO_ERROR
 * while mbedtls_x509_crt_parse_file() and the other file functions work. */
#ifndef TLSCOSIM_COMPAT_DIRENT_H
#define TLSCOSIM_COMPAT_DIRENT_H

typedef struct tlscosim_dir DIR;

struct dirent {
    char d_name[256];
};

DIR *opendir(const char *path);
struct dirent *readdir(DIR *dir);
int closedir(DIR *dir);

#endif /* TLSCOSIM_COMPAT_DIRENT_H */

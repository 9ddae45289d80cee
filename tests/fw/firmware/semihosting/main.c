/* Semihosting probe: every operation, its return value and SYS_ERRNO printed on UART0,
 * so that tlscosim and QEMU can be compared line for line. Values that differ by design
 * (clocks, time, heap layout) are printed as properties only. With the command-line word
 * "tlscosim", the operations tlscosim alone defines (confinement, SYS_SYSTEM refused,
 * SYS_TMPNAM) are probed too. */
#include <stdio.h>
#include <string.h>

#include "semihosting.h"

#define UNMAPPED 0xA0000000u  /* nothing there on either machine */

static uint32_t call3(uint32_t op, uint32_t a, uint32_t b, uint32_t c)
{
    uint32_t block[3] = {a, b, c};
    return semihosting_call(op, (uintptr_t)block);
}

static uint32_t call1(uint32_t op, uint32_t a)
{
    uint32_t block[1] = {a};
    return semihosting_call(op, (uintptr_t)block);
}

static void show(const char *what, uint32_t ret)
{
    printf("%s: %ld", what, (long)(int32_t)ret);
    if ((int32_t)ret == -1)
        printf(" errno=%lu", (unsigned long)semihosting_call(SYS_ERRNO, 0));
    printf("\n");
}

static uint32_t open_file(const char *name, uint32_t mode)
{
    return call3(SYS_OPEN, (uint32_t)(uintptr_t)name, mode, (uint32_t)strlen(name));
}

static uint32_t ptr(const void *p)
{
    return (uint32_t)(uintptr_t)p;
}

static void probe_files(void)
{
    static const char text[] = "hello semihosting\n";
    char buf[64];

    uint32_t h = open_file("sh_probe.txt", 4);
    show("open w", h);
    show("write", call3(SYS_WRITE, h, ptr(text), sizeof text - 1));
    show("istty file", call1(SYS_ISTTY, h));
    show("flen", call1(SYS_FLEN, h));
    show("close", call1(SYS_CLOSE, h));

    h = open_file("sh_probe.txt", 0);
    show("open r", h);
    memset(buf, 0, sizeof buf);
    show("read 5", call3(SYS_READ, h, ptr(buf), 5));
    printf("read: \"%s\"\n", buf);
    show("seek 6", call3(SYS_SEEK, h, 6, 0));
    memset(buf, 0, sizeof buf);
    show("read rest", call3(SYS_READ, h, ptr(buf), 40));
    printf("read: \"%s\"\n", buf);
    show("read at eof", call3(SYS_READ, h, ptr(buf), 40));
    show("close", call1(SYS_CLOSE, h));
    show("close again", call1(SYS_CLOSE, h));

    show("open missing", open_file("no_such_file.txt", 0));
    show("open bad mode", open_file("sh_probe.txt", 12));
    show("open bad name", call3(SYS_OPEN, UNMAPPED, 0, 4));
    show("close 99", call1(SYS_CLOSE, 99));
    show("flen 99", call1(SYS_FLEN, 99));
    show("istty 99", call1(SYS_ISTTY, 99));
    show("write 99", call3(SYS_WRITE, 99, ptr(text), 4));
    show("read 99", call3(SYS_READ, 99, ptr(buf), 4));
    show("seek 99", call3(SYS_SEEK, 99, 0, 0));

    uint32_t a = open_file("sh_probe_a.txt", 4);
    show("open a", a);
    show("write bad buffer", call3(SYS_WRITE, a, UNMAPPED, 4));
    show("close a", call1(SYS_CLOSE, a));
    static const char from[] = "sh_probe_a.txt", to[] = "sh_probe_b.txt";
    uint32_t names[4] = {ptr(from), sizeof from - 1, ptr(to), sizeof to - 1};
    show("rename", semihosting_call(SYS_RENAME, ptr(names)));
    show("open renamed", h = open_file(to, 0));
    show("close renamed", call1(SYS_CLOSE, h));
    show("open old name", open_file(from, 0));
    uint32_t rm[2] = {ptr(to), sizeof to - 1};
    show("remove", semihosting_call(SYS_REMOVE, ptr(rm)));
    show("remove again", semihosting_call(SYS_REMOVE, ptr(rm)));
    uint32_t rm2[2] = {ptr("sh_probe.txt"), 12};
    show("remove probe", semihosting_call(SYS_REMOVE, ptr(rm2)));
}

static void probe_console_and_features(void)
{
    char buf[8];
    uint32_t out = open_file(":tt", 4);
    show("open :tt w", out);
    static const char line[] = "console via SYS_WRITE\n";
    show("write :tt", call3(SYS_WRITE, out, ptr(line), sizeof line - 1));
    show("close :tt", call1(SYS_CLOSE, out));
    show("writec", semihosting_call(SYS_WRITEC, ptr("W")));
    show("write0", semihosting_call(SYS_WRITE0, ptr(" and SYS_WRITE0\n")));
    show("write0 bad pointer", semihosting_call(SYS_WRITE0, UNMAPPED));
    show("errno", semihosting_call(SYS_ERRNO, 0));
    show("writec bad pointer", semihosting_call(SYS_WRITEC, UNMAPPED + 1));
    show("errno", semihosting_call(SYS_ERRNO, 0));
    show("write bad block", semihosting_call(SYS_WRITE, UNMAPPED));
    show("read bad block", semihosting_call(SYS_READ, UNMAPPED));
    show("open bad block", semihosting_call(SYS_OPEN, UNMAPPED));
    show("exit_extended bad block", semihosting_call(SYS_EXIT_EXTENDED, UNMAPPED));

    uint32_t f = open_file(":semihosting-features", 0);
    show("open features", f);
    show("flen features", call1(SYS_FLEN, f));
    memset(buf, 0, sizeof buf);
    show("read features", call3(SYS_READ, f, ptr(buf), sizeof buf));
    printf("features: %02x %02x %02x %02x %02x\n", buf[0], buf[1], buf[2], buf[3], buf[4]);
    show("close features", call1(SYS_CLOSE, f));
}

static void probe_system(void)
{
    show("iserror -1", call1(SYS_ISERROR, 0xFFFFFFFFu));
    show("iserror 0", call1(SYS_ISERROR, 0));
    show("iserror 5", call1(SYS_ISERROR, 5));

    char cmdline[128];
    uint32_t block[2] = {ptr(cmdline), sizeof cmdline};
    show("get_cmdline", semihosting_call(SYS_GET_CMDLINE, ptr(block)));
    printf("cmdline: \"%s\" length %lu\n", cmdline, (unsigned long)block[1]);
    uint32_t small[2] = {ptr(cmdline), 4};
    show("get_cmdline small", semihosting_call(SYS_GET_CMDLINE, ptr(small)));

    uint32_t c1 = semihosting_call(SYS_CLOCK, 0);
    uint32_t c2 = semihosting_call(SYS_CLOCK, 0);
    printf("clock: %s\n", (int32_t)c1 >= 0 && c2 >= c1 ? "monotonic" : "broken");
    uint32_t t = semihosting_call(SYS_TIME, 0);
    printf("time: %s\n", t > 1700000000u ? "after 2023" : "wrong");
    uint32_t ticks[2] = {0, 0};
    uint32_t e = semihosting_call(SYS_ELAPSED, ptr(ticks));
    uint32_t freq = semihosting_call(SYS_TICKFREQ, 0);
    printf("elapsed: %ld, ticks %s, tickfreq %s\n", (long)(int32_t)e, ticks[0] || ticks[1] ? "counting" : "zero",
           (int32_t)freq > 0 ? "positive" : "missing");
    uint32_t info[4] = {0};
    uint32_t pinfo[1] = {ptr(info)};
    show("heapinfo", semihosting_call(SYS_HEAPINFO, ptr(pinfo)));
    printf("heapinfo: %s\n", info[1] > info[0] ? "heap limit above base" : "no heap");
}

static void probe_newlib(void)
{
    FILE *f = fopen("sh_newlib.txt", "w");
    printf("fopen w: %s\n", f ? "ok" : "failed");
    fprintf(f, "line one\nline two %d\n", 42);
    printf("fclose: %d\n", fclose(f));
    f = fopen("sh_newlib.txt", "r");
    char line[32];
    printf("fgets: %s", fgets(line, sizeof line, f));
    printf("fgets: %s", fgets(line, sizeof line, f));
    printf("fgets at eof: %s\n", fgets(line, sizeof line, f) ? "data" : "NULL");
    printf("fseek end: %d ftell: %ld\n", fseek(f, 0, SEEK_END), ftell(f));
    printf("fseek 5: %d\n", fseek(f, 5, SEEK_SET));
    printf("fgets: %s", fgets(line, sizeof line, f));
    printf("fclose: %d\n", fclose(f));
    printf("remove: %d\n", remove("sh_newlib.txt"));
    printf("fopen missing: %s\n", fopen("no_such_file.txt", "r") ? "opened" : "NULL");
}

static void probe_tlscosim_only(void)
{
    show("open outside root", open_file("../sh_outside.txt", 4));
    show("open absolute outside root", open_file("/etc/hostname", 0));
    static const char command[] = "echo hi";
    uint32_t sys[2] = {ptr(command), sizeof command - 1};
    show("system", semihosting_call(SYS_SYSTEM, ptr(sys)));
    char name[32];
    show("tmpnam", call3(SYS_TMPNAM, ptr(name), 7, sizeof name));
    printf("tmpnam: %s\n", name);
    show("tmpnam small", call3(SYS_TMPNAM, ptr(name), 7, 4));
    show("unknown op 0x40", semihosting_call(0x40, 0));
    /* QEMU answers these from the host's file descriptors or drops the data silently. */
    uint32_t out = open_file(":tt", 4);
    show("istty :tt", call1(SYS_ISTTY, out));
    call1(SYS_CLOSE, out);
    char cmdline[16];
    uint32_t bad[2] = {UNMAPPED, sizeof cmdline};
    show("get_cmdline bad buffer", semihosting_call(SYS_GET_CMDLINE, ptr(bad)));
    uint32_t h = open_file(":semihosting-features", 0);
    show("read bad buffer", call3(SYS_READ, h, UNMAPPED, 4));
    show("errno", semihosting_call(SYS_ERRNO, 0));
    uint32_t info_block[1] = {UNMAPPED};
    show("heapinfo bad block", semihosting_call(SYS_HEAPINFO, ptr(info_block)));
}

int main(void)
{
    char buf[128];
    char *argv[8];
    int argc = semihosting_argv(buf, sizeof buf, argv, 8);
    printf("argc %d:", argc);
    for (int i = 0; i < argc; i++)
        printf(" [%s]", argv[i]);
    printf("\n");
    probe_files();
    probe_console_and_features();
    probe_system();
    probe_newlib();
    if (argc > 1 && strcmp(argv[1], "tlscosim") == 0)
        probe_tlscosim_only();
    printf("done\n");
    return 0;
}

/* An ordered log of exception events for the test firmware: handlers append one letter
 * on entry (upper case) and one on exit (lower case); the test compares the string. */
#ifndef EVENTS_H
#define EVENTS_H

#include <stdint.h>
#include <stdio.h>

#define EVENTS_MAX 31u

struct event_log {
    volatile uint32_t count;
    volatile char text[EVENTS_MAX + 1u];
};

static inline void events_clear(struct event_log *log)
{
    log->count = 0;
    log->text[0] = '\0';
}

static inline void event(struct event_log *log, char letter)
{
    uint32_t n = log->count;
    if (n < EVENTS_MAX) {
        log->text[n] = letter;
        log->text[n + 1u] = '\0';
    }
    log->count = n + 1u;
}

/* Prints "key=<letters>" ("key=-" for an empty log). */
static inline void events_report(const char *key, const struct event_log *log)
{
    printf("%s=%s\n", key, log->count ? (const char *)log->text : "-");
}

#endif /* EVENTS_H */

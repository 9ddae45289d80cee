/* The command line of the TLS apps (tls_client, tls_server): one parser for both roles.
 * Options and defaults are listed in docs/tls-firmware.md. */
#ifndef TLS_ARGS_H
#define TLS_ARGS_H

#include <stdint.h>

enum tls_role { TLS_ROLE_CLIENT = 0, TLS_ROLE_SERVER = 1 };
enum tls_transport { TLS_TRANSPORT_TLS = 0, TLS_TRANSPORT_DTLS = 1 };

#define TLS_ARGS_ERROR_MAX 160

struct tls_args {
    int role;                   /* enum tls_role */
    const char *server;         /* --server, dotted quad as given */
    uint8_t server_ip[4];       /* ... parsed */
    uint16_t port;              /* --port */
    const char *host;           /* --host: SNI and the name the peer's certificate must carry */
    const char *ca;             /* --ca, NULL when not given */
    const char *cert, *key;     /* --cert/--key, NULL when not given */
    const char *tls;            /* "1.2" or "1.3" */
    int tls13;                  /* 1 for TLS 1.3 (min = max version) */
    const char *suite;          /* --suite, Mbed TLS name */
    int suite_id;               /* ... its IANA id (mbedtls_ssl_get_ciphersuite_id) */
    const char *group;          /* --group */
    uint16_t group_id;          /* ... its TLS NamedGroup id */
    int debug;                  /* --debug 0-4 */
    const char *path;           /* --path (client) */
    int resume;                 /* --resume 0|1 (client) */
    int accel;                  /* --accel on|off */
    int transport;              /* enum tls_transport */
    uint32_t timeout_ms;        /* --timeout-ms */
    int time_given;             /* --time given */
    int64_t time;               /* ... its seconds since 1970 */
    uint32_t connections;       /* --connections (server; 0 = forever) */
    uint32_t body_bytes;        /* --body-bytes (server) */
    char error[TLS_ARGS_ERROR_MAX]; /* why parsing failed */
};

/* Fills *out with the defaults, then argv[1..argc-1]. Returns 0, or 2 (the apps' exit
 * status for a bad command line) with out->error saying what is wrong. */
int tls_args_parse(int argc, char **argv, struct tls_args *out, int role);

#endif /* TLS_ARGS_H */

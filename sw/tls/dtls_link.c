/* DTLS transport glue (see dtls_link.h). */
#include "dtls_link.h"

#include "lwip/sys.h"
#include "mbedtls/net_sockets.h"   /* the MBEDTLS_ERR_NET_* codes only (MBEDTLS_NET_C is off) */
#include "net.h"

void dtls_link_configure(mbedtls_ssl_config *conf, const struct tls_args *a)
{
    uint32_t max = a->timeout_ms < DTLS_LINK_RETRANSMIT_MIN_MS ? DTLS_LINK_RETRANSMIT_MIN_MS : a->timeout_ms;
    mbedtls_ssl_conf_handshake_timeout(conf, DTLS_LINK_RETRANSMIT_MIN_MS, max);
}

void dtls_link_attach(mbedtls_ssl_context *ssl, struct dtls_link *l)
{
    /* No recv_timeout: with one, Mbed TLS would sleep inside mbedtls_ssl_handshake_step()
     * and the wait would be counted as the CPU's work. */
    mbedtls_ssl_set_bio(ssl, l->bio, udp_bio_send, udp_bio_recv, NULL);
    mbedtls_ssl_set_timer_cb(ssl, &l->timer, dtls_timer_set, dtls_timer_get);
    mbedtls_ssl_set_mtu(ssl, DTLS_LINK_MTU);
}

int dtls_link_wait(void *ctx, uint32_t timeout_ms)
{
    struct dtls_link *l = ctx;
    uint32_t start = sys_now();
    for (;;) {
        net_poll();
        if (udp_bio_pending(l->bio) > 0 || dtls_timer_get(&l->timer) == 2)
            return 0;
        if (sys_now() - start >= timeout_ms)
            return MBEDTLS_ERR_SSL_TIMEOUT;
        net_idle();
    }
}

int dtls_link_connect(struct dtls_link *l, const struct tls_args *a)
{
    ip_addr_t ip;
    int err;
    IP_ADDR4(&ip, a->server_ip[0], a->server_ip[1], a->server_ip[2], a->server_ip[3]);
    l->timer.final_ms = 0;
    l->bio = udp_bio_connect(&ip, a->port, &err);
    if (l->bio == NULL)
        return err == ERR_MEM ? MBEDTLS_ERR_SSL_ALLOC_FAILED : MBEDTLS_ERR_NET_CONNECT_FAILED;
    return 0;
}

void dtls_link_close(struct dtls_link *l)
{
    udp_bio_close(l->bio);
    l->bio = NULL;
}

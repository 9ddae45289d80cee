"""Kinds of work in a TLS phase, from the profiler's calling-context tree.

Each node's self cycles go to one category, decided by function names along its stack
below the phase function (tls_handshake_full, ...):
  1. an *operation* on the stack, outermost first: ECDHE (key generation and shared
     secret), ECDSA verify, X.509 parsing — everything such an operation calls (bignum,
     hashing) counts as that operation;
  2. otherwise the function itself: hashing, AES/GCM, bignum, network (lwIP, the MAC
     driver, the TCP BIO, interrupt handlers), waiting (sleep in WFI, the wait loop);
  3. otherwise "other" (the TLS state machine, key schedule glue, memory, printing).
"""

from __future__ import annotations

import re

PHASES = ("tls_handshake_full", "tls_handshake_resumed", "tls_http_exchange", "tls_close")

OPERATIONS = (
    ("ecdhe", re.compile(r"^(mbedtls_ecdh_|ecdh_|mbedtls_ecp_gen_|mbedtls_psa_ecp_generate|psa_generate_key|"
                         r"psa_raw_key_agreement|psa_key_agreement|mbedtls_psa_key_agreement|"
                         r"psa_driver_wrapper_key_agreement|psa_driver_wrapper_generate_key|"
                         r"mbedtls_ssl_tls13_generate_and_write_xxdh|ssl_tls13_generate_and_write_ecdh|"
                         r"mbedtls_psa_ecp_export_public|mbedtls_ecp_mul)")),
    ("ecdsa_verify", re.compile(r"^(mbedtls_ecdsa_verify|ecdsa_verify|mbedtls_ecdsa_read_signature|"
                                r"mbedtls_pk_verify|psa_verify_hash|mbedtls_psa_ecdsa_verify|"
                                r"psa_driver_wrapper_verify_hash|ecdsa_verify_wrap|eckey_verify_wrap)")),
    ("x509_parse", re.compile(r"^(mbedtls_x509_crt_parse|x509_crt_parse|mbedtls_x509_get_|x509_get_|"
                              r"mbedtls_asn1_get|mbedtls_pem_read|mbedtls_pk_parse|pk_parse|"
                              r"mbedtls_x509_parse|x509_parse)")),
)

PRIMITIVES = (
    ("waiting", re.compile(r"^(\[sleep\]|net_idle$|tls_tcp_wait$|dtls_link_wait$)")),
    ("hashing", re.compile(r"^(mbedtls_sha256|mbedtls_internal_sha256|sha256_|mbedtls_sha512|sha512_|"
                           r"tlscosim_sw_.*sha256|accel_sha256|mbedtls_md|md_|psa_hash|mbedtls_psa_hash|"
                           r"psa_driver_wrapper_hash|mbedtls_hmac|psa_mac|mbedtls_psa_mac|mbedtls_hkdf|"
                           r"psa_key_derivation|mbedtls_ssl_tls13_hkdf)")),
    ("aes_gcm", re.compile(r"^(mbedtls_aes|mbedtls_internal_aes|aes_|tlscosim_sw_.*aes|accel_aes|accel_gcm|"
                           r"mbedtls_gcm|gcm_|mbedtls_cipher|psa_aead|mbedtls_psa_aead|psa_cipher|"
                           r"mbedtls_psa_cipher|psa_driver_wrapper_aead|mbedtls_ctr_drbg|ctr_drbg|block_cipher)")),
    ("bignum", re.compile(r"^(mbedtls_mpi|mpi_|mbedtls_ct_|mbedtls_ecp_|ecp_|mbedtls_bignum)")),
    ("network", re.compile(r"^(tcp_|tls_tcp_|ip4_|ip_|etharp_|ethernet_|pbuf_|netif_|inet_chksum|lwip_|"
                           r"sys_check_timeouts|sys_now|lan9118|net_poll|mem_malloc|memp_|raw_|udp_|icmp_|"
                           r"\[exception)")),
)

CATEGORIES = tuple(name for name, _ in OPERATIONS) + tuple(name for name, _ in PRIMITIVES) + ("other",)

LABELS = {"ecdhe": "ECDHE keygen + shared secret", "ecdsa_verify": "ECDSA verify",
          "x509_parse": "X.509 parsing", "hashing": "hashing (SHA-256, HMAC, HKDF)",
          "aes_gcm": "AES/GCM (records, DRBG)", "bignum": "bignum / ECP (outside the above)",
          "network": "network (lwIP, MAC driver, BIO, IRQs)", "waiting": "waiting for the peer",
          "other": "other (TLS state machine, memory, printing)"}


def operation_of(name: str) -> str | None:
    for category, pattern in OPERATIONS:
        if pattern.match(name):
            return category
    return None


def primitive_of(name: str) -> str:
    for category, pattern in PRIMITIVES:
        if pattern.match(name):
            return category
    return "other"


def phase_breakdown(report, phase: str) -> dict | None:
    """{"cycles": inclusive cycles of `phase`, "calls": its contexts, "categories": {cat:
    cycles}} over every calling context of the phase function (a context nested in
    another of the same function is counted once); None when the phase never ran."""
    nodes = report.nodes
    children: dict[int, list] = {}
    for node in nodes:
        if node.parent is not None:
            children.setdefault(node.parent, []).append(node)
    roots = [n for n in report.contexts(phase) if not _has_ancestor(nodes, n, phase)]
    if not roots:
        return None
    totals = dict.fromkeys(CATEGORIES, 0)
    for root in roots:
        stack = [(root, None)]
        while stack:
            node, operation = stack.pop()
            if node is not root:
                operation = operation or operation_of(node.name)
            totals[operation or (primitive_of(node.name) if node is not root else "other")] += node.self_cycles
            stack.extend((child, operation) for child in children.get(node.id, ()))
    cycles = sum(n.total_cycles for n in roots)
    return {"cycles": cycles, "calls": sum(n.calls for n in roots), "categories": totals}


def _has_ancestor(nodes, node, name: str) -> bool:
    while node.parent is not None:
        node = nodes[node.parent]
        if node.name == name:
            return True
    return False

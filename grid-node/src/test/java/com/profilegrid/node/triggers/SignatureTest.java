package com.profilegrid.node.triggers;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The webhook signature is standard HMAC-SHA256, whatever keys a thread signed with before. */
class SignatureTest {

    @Test
    void when_text_is_signed_then_the_mac_is_hmac_sha256_as_rfc_4231_gives_it() {
        // RFC 4231, test case 2; then another key on the same thread, then the first again
        assertThat(Signature.hmac("Jefe", "what do ya want for nothing?"))
                .isEqualTo("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
        assertThat(Signature.hmac("another-secret-16", "what do ya want for nothing?"))
                .isNotEqualTo("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
        assertThat(Signature.hmac("Jefe", "what do ya want for nothing?"))
                .isEqualTo("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    }

    @Test
    void when_a_body_is_signed_then_the_header_names_its_time_and_the_mac_of_time_dot_body() {
        assertThat(Signature.header("Jefe", 1_700_000_000L, "{}"))
                .isEqualTo("t=1700000000,v1=" + Signature.hmac("Jefe", "1700000000.{}"));
    }
}

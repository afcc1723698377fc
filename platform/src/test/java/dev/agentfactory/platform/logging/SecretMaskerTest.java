package dev.agentfactory.platform.logging;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;

import org.junit.jupiter.api.Test;

class SecretMaskerTest {

    private final SecretMasker masker = new SecretMasker(Set.of());

    @Test
    void aRedisUrlsLonePasswordIsMaskedBecauseRedisClientsReadItAsThePassword() {
        assertThat(masker.mask("cannot connect to redis://s3cr3t-pw@cache:6379/0"))
                .isEqualTo("cannot connect to redis://" + SecretMasker.MASK + "@cache:6379/0");
        assertThat(masker.mask("REDISS://s3cr3t-pw@cache:6380"))
                .isEqualTo("REDISS://" + SecretMasker.MASK + "@cache:6380");
        assertThat(masker.mask("redis-sentinel://s3cr3t-pw@s1:26379")).doesNotContain("s3cr3t-pw");
    }

    @Test
    void aUserAndPasswordAreMaskedInAnyUrlButTheUserIsKept() {
        assertThat(masker.mask("rediss://default:s3cr3t-pw@cache:6380"))
                .isEqualTo("rediss://default:" + SecretMasker.MASK + "@cache:6380");
        assertThat(masker.mask("redis://:s3cr3t-pw@cache:6379")).isEqualTo("redis://:" + SecretMasker.MASK + "@cache:6379");
        assertThat(masker.mask("postgresql://factory_writer:s3cr3t-pw@db:5432/factory")).doesNotContain("s3cr3t-pw")
                .contains("factory_writer");
    }

    @Test
    void aLoneUserNameOutsideRedisIsNotASecretAndStays() {
        assertThat(masker.mask("fetched https://ci-bot@git.example.com/repo.git"))
                .isEqualTo("fetched https://ci-bot@git.example.com/repo.git");
        assertThat(masker.mask("redis://cache:6379 is up")).isEqualTo("redis://cache:6379 is up");
    }
}

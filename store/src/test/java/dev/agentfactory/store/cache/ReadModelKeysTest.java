package dev.agentfactory.store.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;

import org.junit.jupiter.api.Test;

class ReadModelKeysTest {

    private final ReadModelKeys keys = new ReadModelKeys("env");

    @Test
    void everyReadModelKeyIsToldApartFromTheGatewaysIdempotencyRecordsAndTheServerRecord() {
        UUID id = UUID.randomUUID();
        assertThat(keys.inReadModel(keys.agent(id))).isTrue();
        assertThat(keys.inReadModel(keys.purgeFloor(keys.agent(id)))).isTrue();
        assertThat(keys.inReadModel(keys.agentSlug("a"))).isTrue();
        assertThat(keys.inReadModel(keys.prd(id))).isTrue();
        assertThat(keys.inReadModel(keys.purgeFloor(keys.prd(id)))).isTrue();
        assertThat(keys.inReadModel(keys.prdSlug("p"))).isTrue();
        assertThat(keys.inReadModel(keys.agentListEpoch())).isTrue();
        assertThat(keys.inReadModel(keys.prdListEpoch())).isTrue();

        assertThat(keys.inReadModel("env:idempotency:k")).isFalse();
        assertThat(keys.inReadModel(keys.server())).isFalse();
        assertThat(keys.inReadModel("env2:agent:" + id)).as("another prefix").isFalse();
        assertThat(keys.inReadModel("other:agent:" + id)).isFalse();
    }

    @Test
    void anotherEnvironmentsKeysAreNotThisOnesReadModelWhenItsPrefixExtendsThisOneWithAFamilyName() {
        UUID id = UUID.randomUUID();
        for (String neighbour : new String[] {"env:prd", "env:agent", "env:prd-slug", "env:agent-list"}) {
            ReadModelKeys other = new ReadModelKeys(neighbour);
            assertThat(java.util.List.of(other.agent(id), other.purgeFloor(other.prd(id)), other.agentSlug("a"),
                    other.prdSlug("p"), other.agentListEpoch(), other.prdListEpoch(), other.server(),
                    neighbour + ":idempotency:k"))
                    .as("keys of the environment under '%s'", neighbour)
                    .noneMatch(keys::inReadModel);
        }
    }

    @Test
    void theScanPatternTakesThePrefixLiterally() {
        assertThat(new ReadModelKeys("a*b?[c]\\d").scanPattern()).isEqualTo("a\\*b\\?\\[c\\]\\\\d:*");
        assertThat(keys.scanPattern()).isEqualTo("env:*");
    }
}

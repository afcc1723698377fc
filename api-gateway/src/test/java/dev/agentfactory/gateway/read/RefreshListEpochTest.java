package dev.agentfactory.gateway.read;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.mockito.Mockito.when;

import java.util.Optional;
import java.util.UUID;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.CannotGetJdbcConnectionException;

import dev.agentfactory.store.agent.AgentRepository;
import dev.agentfactory.store.prd.PrdRepository;

/**
 * A refresh follows an applied write, which is answered even when the entity cannot be read back; the cached
 * first list pages must end with it all the same, or a list could miss the answered write. An entity the database
 * no longer has is in no list, and ends nothing.
 */
class RefreshListEpochTest {

    private final AgentRepository agents = mock(AgentRepository.class);
    private final PrdRepository prds = mock(PrdRepository.class);
    private final FirstPages firstPages = mock(FirstPages.class);
    private final CachedReads reads = new CachedReads(mock(VersionGuardedCache.class), agents, prds, firstPages,
            new SimpleMeterRegistry());

    @Test
    void aRefreshWhoseReadFailsStillEndsTheListEpoch() {
        UUID id = UUID.randomUUID();
        when(agents.findById(id)).thenThrow(new CannotGetJdbcConnectionException("pool exhausted"));
        when(prds.findById(id)).thenThrow(new CannotGetJdbcConnectionException("pool exhausted"));

        assertThatThrownBy(() -> reads.refreshAgent(id)).isInstanceOf(DataAccessException.class);
        verify(firstPages).agentsChanged();
        assertThatThrownBy(() -> reads.refreshPrd(id)).isInstanceOf(DataAccessException.class);
        verify(firstPages).prdsChanged();
    }

    @Test
    void aRefreshOfAnEntityTheDatabaseNoLongerHasKeepsTheListEpoch() {
        // a purged entity: GET /writes/{eventId} of a write to it refreshes on every poll
        UUID id = UUID.randomUUID();
        when(agents.findById(id)).thenReturn(Optional.empty());
        when(prds.findById(id)).thenReturn(Optional.empty());

        assertThat(reads.refreshAgent(id)).isEmpty();
        assertThat(reads.refreshPrd(id)).isEmpty();
        verifyNoInteractions(firstPages);
    }
}

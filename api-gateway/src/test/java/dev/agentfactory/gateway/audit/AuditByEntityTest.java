package dev.agentfactory.gateway.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import java.time.Instant;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import dev.agentfactory.gateway.http.Paging;
import dev.agentfactory.store.audit.AuditEntry;
import dev.agentfactory.store.audit.InMemoryAuditRepository;

/** {@code GET /audit?entityType&entityId} keeps to {@code from}/{@code to} as the actor and time queries do. */
class AuditByEntityTest {

    private final InMemoryAuditRepository audit = new InMemoryAuditRepository(new Object());
    private final UUID agent = UUID.randomUUID();

    @Test
    void anEntitysEntriesAreOnlyThoseCommittedWithinFromTo() throws InterruptedException {
        AuditEntry first = append(1);
        Thread.sleep(5); // distinct commit times
        AuditEntry second = append(2);
        assertThat(second.committedAt()).isAfter(first.committedAt());
        Paging paging = mock(Paging.class);
        when(paging.limit(null)).thenReturn(50);
        AuditController controller = new AuditController(audit, paging);

        assertThat(controller.entries("agent", agent, null, second.committedAt().toString(), null, null, null)
                .items()).extracting(AuditEntry::version).containsExactly(2L);
        assertThat(controller.entries("agent", agent, null, null, second.committedAt().toString(), null, null)
                .items()).extracting(AuditEntry::version).containsExactly(1L);
        assertThat(controller.entries("agent", agent, null, null, null, null, null).items()).hasSize(2);
    }

    private AuditEntry append(long version) {
        return audit.append(new AuditEntry(0, "agent", agent, version, "agent.update", "alice", UUID.randomUUID(),
                Instant.now(), null, null));
    }
}

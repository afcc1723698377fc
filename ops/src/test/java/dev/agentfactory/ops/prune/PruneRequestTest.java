package dev.agentfactory.ops.prune;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.agentfactory.ops.cli.UsageException;

class PruneRequestTest {

    private static PruneRequest parse(String... args) {
        return PruneRequest.parse(List.of(args), "jdbc:postgresql://db/factory");
    }

    @Test
    void daysHoursAndIsoDurationsAreAccepted() {
        assertThat(parse("--older-than=30d").olderThan()).isEqualTo(Duration.ofDays(30));
        assertThat(parse("--older-than=720h").olderThan()).isEqualTo(Duration.ofDays(30));
        assertThat(parse("--older-than=P30D").olderThan()).isEqualTo(Duration.ofDays(30));
        assertThat(parse("--older-than=PT36H").olderThan()).isEqualTo(Duration.ofHours(36));
    }

    @Test
    void defaultsAreBatchesOf10000ForRealAndWithinTheRetention() {
        PruneRequest r = parse("--older-than=30d");
        assertThat(r.batch()).isEqualTo(10_000);
        assertThat(r.dryRun()).isFalse();
        assertThat(r.allowShorterThanRetention()).isFalse();
        assertThat(r.db()).isEqualTo("jdbc:postgresql://db/factory");
    }

    @Test
    void flagsBatchAndDatabaseAreRead() {
        PruneRequest r = parse("--older-than=8d", "--batch=3", "--dry-run", "--allow-shorter-than-retention",
                "--db=jdbc:postgresql://other/x");
        assertThat(r.batch()).isEqualTo(3);
        assertThat(r.dryRun()).isTrue();
        assertThat(r.allowShorterThanRetention()).isTrue();
        assertThat(r.db()).isEqualTo("jdbc:postgresql://other/x");
    }

    @Test
    void aMissingAgeIsAUsageError() {
        assertThatThrownBy(() -> parse("--dry-run")).isInstanceOf(UsageException.class)
                .hasMessageContaining("--older-than is required");
        assertThatThrownBy(() -> parse("--older-than=")).isInstanceOf(UsageException.class)
                .hasMessageContaining("--older-than is given but empty");
    }

    @Test
    void anUnparseableAgeIsAUsageError() {
        for (String bad : List.of("30", "thirty days", "30 d", "-30d", "30w", "P1M")) {
            assertThatThrownBy(() -> parse("--older-than=" + bad)).as(bad).isInstanceOf(UsageException.class)
                    .hasMessageContaining("--older-than must be a duration");
        }
    }

    @Test
    void anAgeBeyondWhatAnInstantHoldsIsAUsageErrorBeforeKafkaOrTheDatabase() {
        // more milliseconds than a long holds: the command must say so with exit 2, not fail on an overflow
        var err = new java.io.ByteArrayOutputStream();
        var old = System.err;
        System.setErr(new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
        int status;
        try {
            status = PruneOutcomesCommand.run(List.of("--older-than=200000000000d"),
                    java.util.Map.of("FACTORY_KAFKA_BOOTSTRAP", "127.0.0.1:1"), System.out);
        } finally {
            System.setErr(old);
        }
        assertThat(status).as(err.toString()).isEqualTo(2);
        assertThat(err.toString()).contains("--older-than 200000000000d reaches before 1970").contains("usage: ");
    }

    @Test
    void aZeroOrNegativeAgeIsAUsageError() {
        for (String bad : List.of("0d", "0h", "PT0S", "PT-5H", "P-1D")) {
            assertThatThrownBy(() -> parse("--older-than=" + bad)).as(bad).isInstanceOf(UsageException.class)
                    .hasMessageContaining("--older-than must be longer than zero");
        }
    }

    @Test
    void aBatchBelowOneOrNotANumberIsAUsageError() {
        assertThatThrownBy(() -> parse("--older-than=30d", "--batch=0")).isInstanceOf(UsageException.class)
                .hasMessageContaining("--batch must be at least 1");
        assertThatThrownBy(() -> parse("--older-than=30d", "--batch=-5")).isInstanceOf(UsageException.class)
                .hasMessageContaining("--batch must be at least 1");
        assertThatThrownBy(() -> parse("--older-than=30d", "--batch=ten")).isInstanceOf(UsageException.class)
                .hasMessageContaining("--batch must be a number");
    }

    @Test
    void unknownOptionsAndTheSpaceSeparatedFormAreUsageErrors() {
        assertThatThrownBy(() -> parse("--older-than=30d", "--olderthan=3d")).isInstanceOf(UsageException.class)
                .hasMessageContaining("unknown option --olderthan");
        assertThatThrownBy(() -> parse("--older-than", "30d")).isInstanceOf(UsageException.class);
    }
}

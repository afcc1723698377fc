package dev.agentfactory.worker.writes;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import dev.agentfactory.contracts.WriteCodec;
import dev.agentfactory.contracts.WriteEnvelope;
import dev.agentfactory.contracts.WriteOutcome;
import dev.agentfactory.contracts.WriteOutcome.Status;

/**
 * The command examples of contracts/README.md, produced one after the other as a newcomer copies them, are one
 * valid history: the worker's rules apply every one of them (a link to an agent the examples deleted before
 * it was REJECTED), and the outcome example there is the one the worker gives its update.
 */
class ContractExamplesTest {

    private static final Path README = Path.of("../contracts/README.md");

    @Test
    void theContractsReadmeCommandExamplesInTheirOrderAreAllApplied() throws IOException {
        String readme = Files.readString(README);
        Matcher m = Pattern.compile("```json\\n(\\{\"eventId\".*\"schemaVersion\".*)\\n```").matcher(readme);
        EventApplier applier = new EventApplier(EntitySizeLimitTest.defaultMaxEntityBytes());
        BatchState state = new BatchState();
        WriteCodec codec = new WriteCodec();
        List<String> answers = new ArrayList<>();
        while (m.find()) {
            WriteEnvelope e = codec.decode(m.group(1).getBytes(StandardCharsets.UTF_8));
            WriteOutcome o = applier.apply(e, state, Instant.parse("2026-11-27T10:30:00Z"));
            answers.add(e.type() + " " + o.status() + (o.reason() == null ? "" : " (" + o.reason() + ")"));
            if (e.eventId().toString().equals("1c6a8d2f-7a1f-4d66-8e2c-3a1b9c7d0e12")) {
                assertThat(o.version()).as("the README's outcome example answers this update").isEqualTo(2);
            }
        }
        assertThat(answers).hasSize(10).allSatisfy(a -> assertThat(a).contains(" " + Status.APPLIED));
    }
}

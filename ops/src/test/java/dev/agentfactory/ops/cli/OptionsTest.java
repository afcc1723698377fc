package dev.agentfactory.ops.cli;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;

/** A value given but blank (an unset variable in {@code --right="$STANDBY_URL"}) is refused, never read as absent. */
class OptionsTest {

    @Test
    void aBlankValueIsRefusedByEveryReaderInsteadOfItsDefault() {
        Map<String, Consumer<Options>> readers = Map.of(
                "get", o -> o.get("x", "default"),
                "get from the environment", o -> o.get("x", Map.of("X", "from env"), "X", "default"),
                "optional", o -> o.optional("x"),
                "required", o -> o.required("x"),
                "flag", o -> o.flag("x"),
                "intValue", o -> o.intValue("x", 1),
                "duration", o -> o.duration("x", Duration.ofDays(1)),
                "instant", o -> o.instant("x"));
        for (String blank : List.of("--x=", "--x=  ")) {
            readers.forEach((name, read) -> assertThatThrownBy(() -> read.accept(Options.parse(List.of(blank),
                    Set.of("x")))).as(name + " of " + blank).isInstanceOf(UsageException.class)
                    .hasMessage("--x is given but empty (an unset variable?)"));
        }
    }
}

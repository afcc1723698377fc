package dev.agentfactory.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** Where a stack listens when only some of its port variables are set (README, "The local stack"). */
class StackSettingsTest {

    @Test
    void theDefaultsAreTheDesignsPorts() {
        StackSettings s = StackSettings.fromEnvironment(Map.of());

        assertThat(s.kafkaPort()).isEqualTo(19092);
        assertThat(s.kafkaControllerPort()).isEqualTo(19093);
        assertThat(s.controlPort()).isEqualTo(19099);
        assertThat(StackSettings.defaultPorts()).containsExactlyInAnyOrder(s.kafkaPort(), s.kafkaControllerPort(),
                s.primaryPort(), s.standbyPort(), s.redisPort(), s.controlPort());
    }

    @Test
    void aStackGivenItsOwnKafkaPortAlsoMovesItsControllerAndControlPorts() {
        StackSettings s = StackSettings.fromEnvironment(Map.of("FACTORY_STACK_KAFKA_PORT", "29092"));

        assertThat(s.kafkaControllerPort()).isEqualTo(29093);
        assertThat(s.controlPort()).isEqualTo(29099);
    }

    @Test
    void aRelativeDataDirectoryIsTheCheckoutsWhereverTheJvmRuns() {
        Path checkout = StackSettings.projectRoot(Map.of());   // the build's factory.root; tests run in the module
        StackSettings s = StackSettings.fromEnvironment(Map.of("FACTORY_STACK_DIR", "stacks/second"));

        assertThat(Path.of("").toAbsolutePath()).isNotEqualTo(checkout);
        assertThat(s.root()).isEqualTo(checkout.resolve("stacks/second"));
        assertThat(StackSettings.fromEnvironment(Map.of()).root()).isEqualTo(checkout.resolve(".local-stack"));
    }

    @Test
    void explicitControllerAndControlPortsWin() {
        StackSettings s = StackSettings.fromEnvironment(Map.of("FACTORY_STACK_KAFKA_PORT", "29092",
                "FACTORY_STACK_KAFKA_CONTROLLER_PORT", "31000", "FACTORY_STACK_CONTROL_PORT", "31001"));

        assertThat(s.kafkaControllerPort()).isEqualTo(31000);
        assertThat(s.controlPort()).isEqualTo(31001);
    }
}

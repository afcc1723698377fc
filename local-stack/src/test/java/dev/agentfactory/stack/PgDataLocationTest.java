package dev.agentfactory.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The clusters moved to /var/tmp are named after the checkout's real directory: a client reaching it through a
 * symbolic link (the same stack to {@code StackOwner}) stops and wipes the same clusters.
 */
class PgDataLocationTest {

    @TempDir
    Path dir;

    @Test
    void aLinkedNameAndTheRealOneNameTheSameDirectoryWhetherItExistsYetOrNot() throws Exception {
        Path real = Files.createDirectories(dir.resolve("checkout"));
        Path link = Files.createSymbolicLink(dir.resolve("link"), real);

        assertThat(PgDataLocation.realName(link.resolve(".local-stack")))
                .isEqualTo(PgDataLocation.realName(real.resolve(".local-stack")))
                .isEqualTo(real.toRealPath().resolve(".local-stack"));
        Files.createDirectories(real.resolve(".local-stack"));
        assertThat(PgDataLocation.realName(link.resolve(".local-stack")))
                .isEqualTo(real.toRealPath().resolve(".local-stack"));
    }
}

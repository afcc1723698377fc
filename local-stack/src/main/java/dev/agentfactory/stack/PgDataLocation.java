package dev.agentfactory.stack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Where the PostgreSQL clusters keep their data. Normally beside the rest of the stack; but when we
 * are root and the unprivileged user that runs PostgreSQL cannot reach that directory (a checkout
 * under {@code /root}, say), the clusters move to {@code /var/tmp/factory-local-stack-<hash>}, one per
 * checkout.
 */
final class PgDataLocation {

    private PgDataLocation() {
    }

    static Path choose(StackSettings settings) {
        Path preferred = settings.root();
        if (!Processes.isRoot() || reachable(settings.pgOsUser(), preferred)) {
            return preferred;
        }
        Path named = moved(realName(preferred));
        Path before = moved(preferred);   // where an earlier build, naming it as given, may have clusters running
        return !named.equals(before) && Files.isDirectory(before) ? before : named;
    }

    private static Path moved(Path stackDir) {
        return Path.of("/var/tmp", "factory-local-stack-" + Integer.toHexString(stackDir.toString().hashCode()));
    }

    /**
     * The directory's name with symbolic links resolved, as far as it exists: a client reaching the checkout through
     * a link (accepted as the same stack, {@link StackOwner}) must find, stop and wipe the same clusters.
     */
    static Path realName(Path dir) {
        Path existing = dir;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            return dir;
        }
        try {
            return existing.toRealPath().resolve(existing.relativize(dir));
        } catch (IOException e) {
            return dir;
        }
    }

    /** Whether osUser can traverse every directory down to dir (or to its nearest existing ancestor). */
    private static boolean reachable(String osUser, Path dir) {
        Path probe = dir;
        while (probe != null && !probe.toFile().exists()) {
            probe = probe.getParent();
        }
        if (probe == null) {
            return false;
        }
        return Processes.succeeds(List.of("runuser", "-u", osUser, "--", "test", "-x", probe.toString()),
                Duration.ofSeconds(5));
    }
}

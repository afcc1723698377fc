package dev.agentfactory.ops.cli;

import java.util.List;
import java.util.Map;

import dev.agentfactory.migrations.MigrationSettings;

/**
 * Runs one ops command and turns its outcome into the exit code: 0 done, 1 refused or failed (with the
 * reason on stderr), 2 a usage error. Every message printed has its URLs' passwords and the environment's database
 * passwords masked ({@link MigrationSettings#redacted(Map, String)}): a failed migration's (a restore's) carries the
 * target's URL as Flyway wrote it, and a failed CREATE ROLE the role's password verifier.
 */
public final class Command {

    /** The body of a command; returns its exit code. */
    public interface Body {
        int run(List<String> args, OpsSettings settings) throws Exception;
    }

    private Command() {
    }

    public static int run(String name, List<String> args, Map<String, String> env, Body body) {
        try {
            return body.run(args, OpsSettings.fromEnvironment(env));
        } catch (UsageException e) {
            System.err.println("ops " + name + ": " + MigrationSettings.redacted(env, e.getMessage()));
            return 2;
        } catch (OpsException e) {
            System.err.println("ops " + name + " refused: " + MigrationSettings.redacted(env, e.getMessage()));
            return 1;
        } catch (Exception e) {
            System.err.println("ops " + name + " failed: " + MigrationSettings.redacted(env, e.toString()));
            return 1;
        }
    }
}

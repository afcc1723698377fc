package dev.agentfactory.store.legacy;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import com.zaxxer.hikari.HikariDataSource;

import dev.agentfactory.migrations.MigrationSettings;
import dev.agentfactory.store.Store;
import dev.agentfactory.store.TransientRetry;

/**
 * {@code bin/db import <file>}: a legacy snapshot into the database of FACTORY_DB_URL (as the migration
 * owner, TLS options as for {@code bin/db}). Exit codes: 0 all imported, 1 some record bad or the import
 * failed, 2 bad usage.
 */
public final class ImportMain {

    private ImportMain() {
    }

    public static void main(String[] args) {
        System.exit(run(List.of(args), System.getenv(), System.out, System.err));
    }

    static int run(List<String> argv, Map<String, String> env, PrintStream out, PrintStream err) {
        if (argv.size() != 1 || argv.get(0).startsWith("-")) {
            err.println("usage: db import <legacy-snapshot.json>   (format: store/README.md)");
            return 2;
        }
        Path file = Path.of(argv.get(0));
        if (!Files.isReadable(file)) {
            err.println("db import: cannot read " + file);
            return 2;
        }
        MigrationSettings db = MigrationSettings.fromEnvironment(env);
        try (HikariDataSource dataSource = new HikariDataSource()) {
            dataSource.setJdbcUrl(db.url());
            dataSource.setUsername(db.user());
            dataSource.setPassword(db.password());
            dataSource.setMaximumPoolSize(2);
            dataSource.setPoolName("legacy-import");
            ImportReport report = new LegacyImporter(Store.jdbc(dataSource, TransientRetry.defaults())).importFile(file);
            out.println("imported " + file + ": " + report);
            report.badRecords().forEach(b -> err.println("bad record " + b));
            return report.clean() ? 0 : 1;
        } catch (IOException | RuntimeException e) {
            err.println("db import failed: " + db.redacted(e.getMessage()));
            return 1;
        }
    }
}

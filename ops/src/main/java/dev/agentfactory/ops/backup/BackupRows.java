package dev.agentfactory.ops.backup;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

import dev.agentfactory.ops.cli.OpsException;

/**
 * Reads some columns of one table of a backup from its file, without a database: the gzipped COPY text
 * {@link SnapshotBackup} wrote (one row a line, columns separated by tabs, {@code \N} for null, backslash escapes
 * inside a value), checked against the manifest's row count. For what a standby must hold before it may be promoted
 * with a backup's offsets; a restore loads the files with COPY instead.
 */
public final class BackupRows {

    /** Takes one row: the requested columns' values, in the order asked for (null for SQL NULL). */
    public interface Consumer {
        void accept(String[] values) throws Exception;
    }

    private BackupRows() {
    }

    /** Streams {@code columns} of every row of {@code table} of the backup in {@code dir}; returns the row count. */
    public static long read(Path dir, Manifest m, String table, List<String> columns, Consumer each) throws Exception {
        Manifest.TableFile f = m.tables().stream().filter(t -> t.table().equals(table)).findFirst().orElseThrow(
                () -> new OpsException(dir + " is incomplete: the manifest lists no file for table " + table));
        int[] at = new int[columns.size()];
        for (int i = 0; i < at.length; i++) {
            at[i] = f.columns().indexOf(columns.get(i));
            if (at[i] < 0) {
                throw new OpsException(dir.resolve(f.file()) + " has no column " + columns.get(i) + " (it has "
                        + f.columns() + ")");
            }
        }
        Path file = dir.resolve(f.file());
        if (!file.normalize().startsWith(dir.normalize()) || !Files.isRegularFile(file)) {
            throw new OpsException(dir + " is incomplete: " + f.file() + " (table " + table + ") is missing");
        }
        long rows = 0;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(new GZIPInputStream(
                Files.newInputStream(file), 1 << 16), StandardCharsets.UTF_8), 1 << 16)) {
            for (String line; (line = in.readLine()) != null; ) {
                List<String> fields = fields(line);
                if (fields.size() != f.columns().size()) {
                    throw new OpsException(file + " row " + (rows + 1) + " has " + fields.size() + " columns, the "
                            + "manifest names " + f.columns().size());
                }
                String[] values = new String[at.length];
                for (int i = 0; i < at.length; i++) {
                    values[i] = value(fields.get(at[i]));
                }
                each.accept(values);
                rows++;
            }
        }
        if (rows != f.rows()) {
            throw new OpsException(file + " holds " + rows + " rows, the manifest says " + f.rows());
        }
        return rows;
    }

    /** A line of COPY text split at its tabs (a tab inside a value is written {@code \t}). */
    static List<String> fields(String line) {
        List<String> out = new ArrayList<>();
        int from = 0;
        for (int tab; (tab = line.indexOf('\t', from)) >= 0; from = tab + 1) {
            out.add(line.substring(from, tab));
        }
        out.add(line.substring(from));
        return out;
    }

    /**
     * One field of COPY text as its value: null for {@code \N}, escapes resolved. COPY TO writes only these
     * ({@code \b \f \n \r \t \v} and a backslash before a backslash), never octal or hex ones.
     */
    static String value(String field) {
        if (field.equals("\\N")) {
            return null;
        }
        if (field.indexOf('\\') < 0) {
            return field;
        }
        StringBuilder out = new StringBuilder(field.length());
        for (int i = 0; i < field.length(); i++) {
            char ch = field.charAt(i);
            if (ch != '\\' || i + 1 == field.length()) {
                out.append(ch);
                continue;
            }
            char next = field.charAt(++i);
            out.append(switch (next) {
                case 'b' -> '\b';
                case 'f' -> '\f';
                case 'n' -> '\n';
                case 'r' -> '\r';
                case 't' -> '\t';
                case 'v' -> '\u000B';
                default -> next;
            });
        }
        return out.toString();
    }
}

package dev.connectors.flink;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.TableResult;

/**
 * Runs a SQL file in a local Flink (a TableEnvironment in streaming mode), as Flink's SQL
 * client would: {@code SET 'key' = 'value'} goes to the table config, every other statement
 * runs in turn, and each INSERT is waited for. Lines starting with {@code --} are dropped;
 * statements end with a {@code ;} at the end of a line. When a statement fails it prints the
 * error's messages (its causes' too) and exits 2 when the job was refused before running (SQL
 * or validation errors: a table's options, as the plugin checks them), 1 otherwise. After each
 * INSERT it prints {@code job finished: net runtime N ms} (Flink's own figure: the job's run
 * from its submission, without the local cluster's start) to standard error.
 *
 * <p>{@code java -cp "<flink-jars>/*:flink-connector-redis.jar" dev.connectors.flink.RunSql
 * job.sql [key=value ...]}: the extra arguments are set before the file's statements.
 */
public final class RunSql {
    private static final Pattern SET =
            Pattern.compile("(?is)\\s*SET\\s+'?([^'=\\s]+)'?\\s*=\\s*'?([^']*?)'?\\s*");

    private RunSql() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: RunSql FILE.sql [key=value ...]");
            System.exit(2);
        }
        TableEnvironment t = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
        for (int i = 1; i < args.length; i++) {
            String[] kv = args[i].split("=", 2);
            t.getConfig().set(kv[0], kv.length > 1 ? kv[1] : "");
        }
        StringBuilder text = new StringBuilder();
        for (String line : Files.readAllLines(Paths.get(args[0]), StandardCharsets.UTF_8)) {
            if (!line.trim().startsWith("--")) {
                text.append(line).append('\n');
            }
        }
        try {
            for (String statement : text.toString().split(";\\s*\n")) {
                if (statement.trim().isEmpty()) {
                    continue;
                }
                Matcher set = SET.matcher(statement);
                if (set.matches()) {
                    t.getConfig().set(set.group(1), set.group(2));
                    continue;
                }
                TableResult result = t.executeSql(statement);
                if (statement.trim().toUpperCase().startsWith("INSERT")) {
                    result.await();
                    if (result.getJobClient().isPresent()) {
                        long ms =
                                result.getJobClient()
                                        .get()
                                        .getJobExecutionResult()
                                        .get()
                                        .getNetRuntime();
                        System.err.println("job finished: net runtime " + ms + " ms");
                    }
                }
            }
        } catch (Exception e) {
            StringBuilder why = new StringBuilder("error: ");
            Throwable cause = e;
            String last = null;
            boolean refused = false;
            while (cause != null) {
                String name = cause.getClass().getName();
                refused |= name.equals("org.apache.flink.table.api.ValidationException")
                        || name.equals("org.apache.flink.table.api.SqlParserException");
                String m = cause.getMessage();
                if (m != null && !m.equals(last)) {
                    why.append("\n  ").append(m.trim());
                    last = m;
                }
                cause = cause.getCause();
            }
            System.err.println(why);
            System.exit(refused ? 2 : 1);
        }
        System.exit(0);
    }
}

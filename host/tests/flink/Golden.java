// Runs a SQL file in Apache Flink 1.20.3 (a TableEnvironment in streaming mode, parallelism 1):
// each statement in turn, waiting for INSERTs to finish. Used by record.sh to record golden
// files; comment lines (--) are dropped before splitting on ";\n".
import org.apache.flink.table.api.*;
import java.nio.file.*;
public class Golden {
    public static void main(String[] a) throws Exception {
        TableEnvironment t = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
        t.getConfig().set("parallelism.default", "1");
        StringBuilder text = new StringBuilder();
        for (String line : Files.readAllLines(Paths.get(a[0]))) {
            if (!line.trim().startsWith("--")) text.append(line).append("\n");
        }
        for (String s : text.toString().split(";\n")) {
            if (s.trim().isEmpty()) continue;
            TableResult r = t.executeSql(s);
            if (s.trim().toUpperCase().startsWith("INSERT")) r.await();
        }
    }
}

package dev.connectors.flink;

import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.connector.source.DynamicTableSource;
import org.apache.flink.table.connector.source.LookupTableSource;
import org.apache.flink.table.connector.source.lookup.AsyncLookupFunctionProvider;
import org.apache.flink.table.connector.source.lookup.LookupFunctionProvider;
import org.apache.flink.table.types.logical.LogicalType;

/**
 * A plugin table as the dimension side of a lookup join ({@code FOR SYSTEM_TIME AS OF}):
 * a lookup function, or with {@code 'lookup.async' = 'true'} an async one that gathers
 * concurrent probes into the plugin's batches. The plugin's own cache does any caching.
 */
final class PluginLookupSource implements LookupTableSource {
    private final TableSpec spec;

    PluginLookupSource(TableSpec spec) {
        this.spec = spec;
    }

    @Override
    public LookupRuntimeProvider getLookupRuntimeProvider(LookupContext context) {
        int[][] paths = context.getKeys();
        int[] keys = new int[paths.length];
        for (int i = 0; i < paths.length; i++) {
            if (paths[i].length != 1) {
                throw new ValidationException("table '" + spec.table
                        + "': a lookup join on a nested field is not supported");
            }
            keys[i] = paths[i][0];
        }
        spec.validate(TableSpec.LOOKUP, keys);
        LogicalType[] keyTypes = new LogicalType[keys.length];
        for (int i = 0; i < keys.length; i++) {
            keyTypes[i] = spec.columnTypes[keys[i]];
        }
        if ("true".equalsIgnoreCase(spec.option("lookup.async"))) {
            return AsyncLookupFunctionProvider.of(
                    new PluginAsyncLookupFunction(spec, keys, keyTypes));
        }
        return LookupFunctionProvider.of(new PluginLookupFunction(spec, keys, keyTypes));
    }

    @Override
    public DynamicTableSource copy() {
        return new PluginLookupSource(spec);
    }

    @Override
    public String asSummaryString() {
        return spec.identifier + " (connector plugin " + spec.pluginFile + ")";
    }
}

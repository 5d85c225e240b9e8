package dev.connectors.flink;

import org.apache.flink.table.connector.ChangelogMode;
import org.apache.flink.table.connector.sink.DynamicTableSink;
import org.apache.flink.table.connector.sink.SinkV2Provider;

/**
 * A plugin table as a Flink sink: an upsert sink (+I, +U, -D; Flink drops -U) when the table
 * has a primary key, an insert-only sink otherwise, as in the host.
 */
final class PluginTableSink implements DynamicTableSink {
    private final TableSpec spec;

    PluginTableSink(TableSpec spec) {
        this.spec = spec;
    }

    @Override
    public ChangelogMode getChangelogMode(ChangelogMode requested) {
        return spec.primaryKey.length > 0 ? ChangelogMode.upsert() : ChangelogMode.insertOnly();
    }

    @Override
    public SinkRuntimeProvider getSinkRuntimeProvider(Context context) {
        return SinkV2Provider.of(new PluginSink(spec));
    }

    @Override
    public DynamicTableSink copy() {
        return new PluginTableSink(spec);
    }

    @Override
    public String asSummaryString() {
        return spec.identifier + " (connector plugin " + spec.pluginFile + ")";
    }
}

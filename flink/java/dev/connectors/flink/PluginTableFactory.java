package dev.connectors.flink;

import java.util.HashSet;
import java.util.Set;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.table.connector.sink.DynamicTableSink;
import org.apache.flink.table.connector.source.DynamicTableSource;
import org.apache.flink.table.factories.DynamicTableSinkFactory;
import org.apache.flink.table.factories.DynamicTableSourceFactory;

/**
 * One factory of a connector plugin as a Flink table factory under the plugin's own
 * identifier. The packaging script (flink/package.sh) generates one subclass per factory of
 * the plugin (named in META-INF/services), each passing its identifier and the plugin file.
 * Options are checked by the plugin's own validation, with the host's messages; the option
 * sets Flink shows come from the plugin's declarations.
 */
public abstract class PluginTableFactory
        implements DynamicTableSinkFactory, DynamicTableSourceFactory {
    private final String identifier;
    private final String pluginFile;

    protected PluginTableFactory(String identifier, String pluginFile) {
        this.identifier = identifier;
        this.pluginFile = pluginFile;
    }

    @Override
    public String factoryIdentifier() {
        return identifier;
    }

    @Override
    public Set<ConfigOption<?>> requiredOptions() {
        return options(true);
    }

    @Override
    public Set<ConfigOption<?>> optionalOptions() {
        return options(false);
    }

    private Set<ConfigOption<?>> options(boolean required) {
        String[] lines = NativeBridge.describe(NativeBridge.plugin(pluginFile), identifier);
        Set<ConfigOption<?>> out = new HashSet<>();
        for (int i = 1; i < lines.length; i++) {
            String[] parts = lines[i].split("\t", -1);
            if (parts[1].equals("1") != required) {
                continue;
            }
            ConfigOption<String> option = ConfigOptions.key(parts[0]).stringType().noDefaultValue();
            if (!parts[2].isEmpty()) {
                option = option.withFallbackKeys(parts[2].split(","));
            }
            out.add(option);
        }
        return out;
    }

    @Override
    public DynamicTableSink createDynamicTableSink(Context context) {
        TableSpec spec = TableSpec.of(pluginFile, identifier, context);
        spec.validate(TableSpec.SINK, new int[0]);
        return new PluginTableSink(spec);
    }

    /** A lookup source; the plugin checks the table when the join's keys are known. */
    @Override
    public DynamicTableSource createDynamicTableSource(Context context) {
        return new PluginLookupSource(TableSpec.of(pluginFile, identifier, context));
    }
}

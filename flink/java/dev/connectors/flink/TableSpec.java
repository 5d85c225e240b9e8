package dev.connectors.flink;

import java.io.ByteArrayOutputStream;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.catalog.Column;
import org.apache.flink.table.factories.DynamicTableFactory;
import org.apache.flink.table.types.logical.ArrayType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.MapType;
import org.apache.flink.table.types.logical.RowType;

/**
 * A table of a plugin factory as the native half reads it (flink/src/table.rs): the plugin
 * file, the identifier, the table's name and WITH options, its physical columns' types and its
 * primary key. Serializable: sinks and lookup functions carry it to the TaskManagers.
 */
final class TableSpec implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The roles of interface 1.x's {@code Roles}. */
    static final int SINK = 1;
    static final int LOOKUP = 2;

    final String pluginFile;
    final String identifier;
    final String table;
    /** Keys and values of the WITH clause, alternating. */
    final String[] options;
    final String[] columnNames;
    final LogicalType[] columnTypes;
    final int[] primaryKey;
    final byte[] schema;

    private TableSpec(String pluginFile, String identifier, DynamicTableFactory.Context context) {
        this.pluginFile = pluginFile;
        this.identifier = identifier;
        this.table = context.getObjectIdentifier().getObjectName();
        List<String> opts = new ArrayList<>();
        for (Map.Entry<String, String> e : context.getCatalogTable().getOptions().entrySet()) {
            opts.add(e.getKey());
            opts.add(e.getValue());
        }
        this.options = opts.toArray(new String[0]);
        List<String> names = new ArrayList<>();
        List<LogicalType> types = new ArrayList<>();
        for (Column c : context.getCatalogTable().getResolvedSchema().getColumns()) {
            if (c.isPhysical()) {
                names.add(c.getName());
                types.add(c.getDataType().getLogicalType());
            }
        }
        this.columnNames = names.toArray(new String[0]);
        this.columnTypes = types.toArray(new LogicalType[0]);
        this.primaryKey = context.getPrimaryKeyIndexes();
        this.schema = encodeSchema();
    }

    static TableSpec of(String pluginFile, String identifier, DynamicTableFactory.Context context) {
        return new TableSpec(pluginFile, identifier, context);
    }

    /** The value of an option as written, or null. */
    String option(String key) {
        for (int i = 0; i < options.length; i += 2) {
            if (options[i].equals(key)) {
                return options[i + 1];
            }
        }
        return null;
    }

    String[] names() {
        String[] names = new String[3 + options.length];
        names[0] = NativeBridge.plugin(pluginFile);
        names[1] = identifier;
        names[2] = table;
        System.arraycopy(options, 0, names, 3, options.length);
        return names;
    }

    static int[] numbers(int task, int parallelism, int[] lookupKeys) {
        int[] numbers = new int[2 + lookupKeys.length];
        numbers[0] = task;
        numbers[1] = parallelism;
        System.arraycopy(lookupKeys, 0, numbers, 2, lookupKeys.length);
        return numbers;
    }

    /** Checks the table for a role with the plugin's own validation (the host's messages). */
    void validate(int role, int[] lookupKeys) {
        try {
            NativeBridge.validate(names(), schema, numbers(0, 1, lookupKeys), role);
        } catch (PluginException e) {
            throw new ValidationException(e.getMessage(), e);
        }
    }

    private byte[] encodeSchema() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        varint(out, columnNames.length);
        for (int i = 0; i < columnNames.length; i++) {
            column(out, columnNames[i], columnTypes[i], columnNames[i]);
        }
        varint(out, primaryKey.length);
        for (int k : primaryKey) {
            varint(out, k);
        }
        return out.toByteArray();
    }

    private void column(ByteArrayOutputStream out, String name, LogicalType type, String path) {
        byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
        varint(out, utf8.length);
        out.write(utf8, 0, utf8.length);
        out.write(Types.kind(type, table, path));
        out.write(type.isNullable() ? 1 : 0);
        varint(out, Types.precision(type));
        varint(out, Types.scale(type));
        switch (type.getTypeRoot()) {
            case ARRAY:
                varint(out, 1);
                column(out, "element", ((ArrayType) type).getElementType(), path);
                break;
            case MAP:
                varint(out, 2);
                column(out, "key", ((MapType) type).getKeyType(), path);
                column(out, "value", ((MapType) type).getValueType(), path);
                break;
            case ROW:
                RowType row = (RowType) type;
                varint(out, row.getFieldCount());
                for (RowType.RowField f : row.getFields()) {
                    column(out, f.getName(), f.getType(), path + "." + f.getName());
                }
                break;
            default:
                varint(out, 0);
        }
    }

    static void varint(ByteArrayOutputStream out, long n) {
        while ((n & ~0x7FL) != 0) {
            out.write((int) ((n & 0x7F) | 0x80));
            n >>>= 7;
        }
        out.write((int) n);
    }
}

package dev.connectors.flink;

import java.io.IOException;
import java.util.Collection;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.functions.FunctionContext;
import org.apache.flink.table.functions.LookupFunction;
import org.apache.flink.table.types.logical.LogicalType;

/** The synchronous lookup: one probe, one call of the plugin's lookup. */
public final class PluginLookupFunction extends LookupFunction {
    private static final long serialVersionUID = 1L;
    private final TableSpec spec;
    private final int[] keys;
    private final LogicalType[] keyTypes;
    private transient long lookup;
    private transient RowPacker packer;
    private transient RowUnpacker unpacker;

    PluginLookupFunction(TableSpec spec, int[] keys, LogicalType[] keyTypes) {
        this.spec = spec;
        this.keys = keys;
        this.keyTypes = keyTypes;
    }

    @Override
    public void open(FunctionContext context) {
        packer = new RowPacker(keyTypes);
        unpacker = new RowUnpacker();
        lookup = NativeBridge.openLookup(spec.names(), spec.schema, TableSpec.numbers(0, 1, keys));
    }

    @Override
    public Collection<RowData> lookup(RowData keyRow) throws IOException {
        packer.clear();
        packer.add(keyRow);
        try {
            byte[] answers = NativeBridge.lookup(lookup, packer.bytes(), packer.length(), 1);
            return unpacker.answers(answers, 1).get(0);
        } catch (PluginException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        long l = lookup;
        lookup = 0;
        NativeBridge.closeLookup(l);
    }
}

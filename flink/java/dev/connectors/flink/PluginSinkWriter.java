package dev.connectors.flink;

import java.io.IOException;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.table.data.RowData;

/**
 * One subtask's plugin sink. Rows are packed into a batch and handed over when it is full;
 * {@link #flush} (Flink calls it before every checkpoint barrier and at the end of input)
 * hands over the rest and returns only when the plugin's flush has made every earlier row
 * durable, so a completed checkpoint means every row before it is in the external system.
 */
final class PluginSinkWriter implements SinkWriter<RowData> {
    /** Rows per batch handed to the plugin. */
    private static final int BATCH_ROWS = 1024;
    private static final int BATCH_BYTES = 1 << 20;

    private final RowPacker packer;
    private long sink;

    PluginSinkWriter(TableSpec spec, int task, int parallelism) {
        this.packer = new RowPacker(spec.columnTypes);
        this.sink = NativeBridge.openSink(spec.names(), spec.schema,
                TableSpec.numbers(task, parallelism, new int[0]));
    }

    @Override
    public void write(RowData row, Context context) throws IOException {
        packer.add(row);
        if (packer.count() >= BATCH_ROWS || packer.length() >= BATCH_BYTES) {
            send();
        }
    }

    private void send() throws IOException {
        if (packer.count() == 0) {
            return;
        }
        try {
            NativeBridge.write(sink, packer.bytes(), packer.length(), packer.count());
        } catch (PluginException e) {
            throw new IOException(e.getMessage(), e);
        } finally {
            packer.clear();
        }
    }

    @Override
    public void flush(boolean endOfInput) throws IOException {
        send();
        try {
            NativeBridge.flush(sink);
        } catch (PluginException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    /** Closes the plugin's sink without flushing (after a failure nothing more is written). */
    @Override
    public void close() {
        long s = sink;
        sink = 0;
        NativeBridge.closeSink(s);
    }
}

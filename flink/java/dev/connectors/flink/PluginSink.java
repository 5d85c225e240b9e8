package dev.connectors.flink;

import java.io.IOException;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.table.data.RowData;

/** A Flink Sink V2 whose writers are the plugin's sinks. */
final class PluginSink implements Sink<RowData> {
    private static final long serialVersionUID = 1L;
    private final TableSpec spec;

    PluginSink(TableSpec spec) {
        this.spec = spec;
    }

    @Override
    @SuppressWarnings("deprecation")
    public SinkWriter<RowData> createWriter(InitContext context) throws IOException {
        return new PluginSinkWriter(
                spec, context.getSubtaskId(), context.getNumberOfParallelSubtasks());
    }

    @Override
    public SinkWriter<RowData> createWriter(WriterInitContext context) throws IOException {
        return new PluginSinkWriter(spec, context.getTaskInfo().getIndexOfThisSubtask(),
                context.getTaskInfo().getNumberOfParallelSubtasks());
    }
}

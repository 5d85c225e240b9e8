package dev.connectors.flink;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.functions.AsyncLookupFunction;
import org.apache.flink.table.functions.FunctionContext;
import org.apache.flink.table.types.logical.LogicalType;

/**
 * The async lookup: probes queue up while the plugin answers, and one thread hands them over
 * in batches, keeping one batch in flight (submitted) while it gathers the next, so that the
 * external system answers a batch while the next one is made. Answers complete the probes'
 * futures in order; an error fails every probe of its batch with the plugin's message.
 */
public final class PluginAsyncLookupFunction extends AsyncLookupFunction {
    private static final long serialVersionUID = 1L;
    private static final int MAX_BATCH = 1024;
    private final TableSpec spec;
    private final int[] keys;
    private final LogicalType[] keyTypes;
    /** Packs each key on the task thread (the only caller of asyncLookup). */
    private transient RowPacker packer;
    private transient LinkedBlockingQueue<Probe> queue;
    private transient Thread worker;
    private transient volatile boolean running;

    private static final class Probe {
        final byte[] key;
        final CompletableFuture<Collection<RowData>> future = new CompletableFuture<>();

        Probe(byte[] key) {
            this.key = key;
        }
    }

    PluginAsyncLookupFunction(TableSpec spec, int[] keys, LogicalType[] keyTypes) {
        this.spec = spec;
        this.keys = keys;
        this.keyTypes = keyTypes;
    }

    @Override
    public void open(FunctionContext context) {
        long lookup = NativeBridge.openLookup(spec.names(), spec.schema,
                TableSpec.numbers(0, 1, keys));
        packer = new RowPacker(keyTypes);
        queue = new LinkedBlockingQueue<>();
        running = true;
        worker = new Thread(() -> run(lookup), "connector-flink lookup " + spec.table);
        worker.setDaemon(true);
        worker.start();
    }

    /** Called from the task thread: the key is packed at once (Flink may reuse the row). */
    @Override
    public CompletableFuture<Collection<RowData>> asyncLookup(RowData keyRow) {
        packer.clear();
        packer.add(keyRow);
        Probe probe = new Probe(packer.copy());
        queue.add(probe);
        return probe.future;
    }

    private void run(long lookup) {
        RowUnpacker unpacker = new RowUnpacker();
        ArrayDeque<List<Probe>> inFlight = new ArrayDeque<>();
        byte[] buf = new byte[64 * 1024];
        try {
            while (running || !inFlight.isEmpty()) {
                List<Probe> batch = new ArrayList<>();
                Probe first = inFlight.isEmpty() ? queue.poll(100, TimeUnit.MILLISECONDS)
                        : queue.poll();
                if (first != null) {
                    batch.add(first);
                    queue.drainTo(batch, MAX_BATCH - 1);
                    int len = 0;
                    for (Probe p : batch) {
                        len += p.key.length;
                    }
                    if (buf.length < len) {
                        buf = new byte[Math.max(len, buf.length * 2)];
                    }
                    int at = 0;
                    for (Probe p : batch) {
                        System.arraycopy(p.key, 0, buf, at, p.key.length);
                        at += p.key.length;
                    }
                    try {
                        NativeBridge.submit(lookup, buf, len, batch.size());
                        inFlight.add(batch);
                    } catch (PluginException e) {
                        fail(batch, e);
                    }
                }
                if (!inFlight.isEmpty() && (first == null || inFlight.size() >= 2)) {
                    List<Probe> done = inFlight.poll();
                    try {
                        byte[] answers = NativeBridge.collect(lookup);
                        List<Collection<RowData>> rows = unpacker.answers(answers, done.size());
                        for (int i = 0; i < done.size(); i++) {
                            done.get(i).future.complete(rows.get(i));
                        }
                    } catch (PluginException e) {
                        fail(done, e);
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            for (List<Probe> batch : inFlight) {
                fail(batch, new PluginException("the lookup was closed"));
            }
            NativeBridge.closeLookup(lookup);
        }
    }

    private static void fail(List<Probe> batch, Throwable error) {
        for (Probe p : batch) {
            p.future.completeExceptionally(error);
        }
    }

    @Override
    public void close() throws Exception {
        running = false;
        if (worker != null) {
            worker.join();
        }
    }
}

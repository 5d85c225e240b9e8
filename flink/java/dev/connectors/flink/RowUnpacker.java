package dev.connectors.flink;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.table.data.DecimalData;
import org.apache.flink.table.data.GenericArrayData;
import org.apache.flink.table.data.GenericMapData;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;

/**
 * Lookup answers from the native half (flink/src/rows.rs): for each key, its row count (a
 * varint) and its rows in interface 1.1's packed format, made Flink's internal rows.
 */
final class RowUnpacker {
    private static final int MAX_DEPTH = 64;
    private static final BigInteger LOW_64 = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);
    private byte[] b;
    private int at;

    /** The rows of each of {@code keys} keys, in order. */
    List<Collection<RowData>> answers(byte[] bytes, int keys) {
        b = bytes;
        at = 0;
        List<Collection<RowData>> out = new ArrayList<>(keys);
        for (int k = 0; k < keys; k++) {
            int n = (int) varint();
            if (n == 0) {
                out.add(Collections.emptyList());
                continue;
            }
            List<RowData> rows = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                rows.add(row(0));
            }
            out.add(rows);
        }
        if (at != b.length) {
            throw new PluginException("malformed lookup answers: " + (b.length - at)
                    + " bytes after the last key's rows");
        }
        return out;
    }

    private GenericRowData row(int depth) {
        int n = (int) varint();
        GenericRowData row = new GenericRowData(n);
        for (int i = 0; i < n; i++) {
            row.setField(i, value(depth));
        }
        return row;
    }

    private Object value(int depth) {
        if (depth > MAX_DEPTH) {
            throw new PluginException("malformed lookup answers: values nested too deep");
        }
        int tag = take();
        switch (tag) {
            case 0: return null;
            case 1: return take() != 0;
            case 2: return (byte) take();
            case 3: return (short) little(2);
            case 4: return (int) little(4);
            case 5: return little(8);
            case 6: return Float.intBitsToFloat((int) little(4));
            case 7: return Double.longBitsToDouble(little(8));
            case 8: {
                long hi = little(8);
                long lo = little(8);
                int precision = take();
                int scale = take();
                BigInteger unscaled = BigInteger.valueOf(hi).shiftLeft(64)
                        .or(BigInteger.valueOf(lo).and(LOW_64));
                return DecimalData.fromBigDecimal(new BigDecimal(unscaled, scale), precision, scale);
            }
            case 9: return StringData.fromBytes(bytes());
            case 10: return bytes();
            case 11: return (int) little(4);
            case 12: return (int) (little(8) / 1_000_000L);
            case 13:
            case 14: {
                long seconds = little(8);
                long nanos = little(4) & 0xFFFFFFFFL;
                return TimestampData.fromEpochMillis(
                        seconds * 1000L + nanos / 1_000_000L, (int) (nanos % 1_000_000L));
            }
            case 15: {
                int n = (int) varint();
                Object[] items = new Object[n];
                for (int i = 0; i < n; i++) {
                    items[i] = value(depth + 1);
                }
                return new GenericArrayData(items);
            }
            case 16: {
                int n = (int) varint();
                Map<Object, Object> map = new LinkedHashMap<>();
                for (int i = 0; i < n; i++) {
                    Object key = value(depth + 1);
                    map.put(key, value(depth + 1));
                }
                return new GenericMapData(map);
            }
            case 17: return row(depth + 1);
            default:
                throw new PluginException("malformed lookup answers: unknown value tag " + tag);
        }
    }

    private int take() {
        if (at >= b.length) {
            throw new PluginException("malformed lookup answers: they end too early");
        }
        return b[at++] & 0xFF;
    }

    private long little(int n) {
        long v = 0;
        for (int i = 0; i < n; i++) {
            v |= ((long) take()) << (8 * i);
        }
        return v;
    }

    private long varint() {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            int x = take();
            v |= ((long) (x & 0x7F)) << shift;
            if (x < 0x80) {
                return v;
            }
        }
        throw new PluginException("malformed lookup answers: a varint is too long");
    }

    private byte[] bytes() {
        int n = (int) varint();
        if (n < 0 || n > b.length - at) {
            throw new PluginException("malformed lookup answers: they end too early");
        }
        byte[] out = new byte[n];
        System.arraycopy(b, at, out, 0, n);
        at += n;
        return out;
    }
}

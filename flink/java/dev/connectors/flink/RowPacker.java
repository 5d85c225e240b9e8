package dev.connectors.flink;

import java.math.BigInteger;
import java.util.Arrays;
import org.apache.flink.table.data.ArrayData;
import org.apache.flink.table.data.DecimalData;
import org.apache.flink.table.data.MapData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.types.logical.ArrayType;
import org.apache.flink.table.types.logical.DecimalType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.MapType;
import org.apache.flink.table.types.logical.RowType;

/**
 * Rows into one batch buffer, as flink/src/rows.rs reads them: each row's kind byte, its
 * length (4 bytes, little-endian) and its values in interface 1.1's packed format
 * (interface/src/packed.rs: a value count, then a tag byte and a payload per value).
 */
final class RowPacker {
    private final LogicalType[] types;
    private final RowData.FieldGetter[] getters;
    private byte[] buf = new byte[64 * 1024];
    private int len;
    private int count;

    RowPacker(LogicalType[] types) {
        this.types = types;
        this.getters = new RowData.FieldGetter[types.length];
        for (int i = 0; i < types.length; i++) {
            getters[i] = RowData.createFieldGetter(types[i], i);
        }
    }

    void add(RowData row) {
        put((byte) row.getRowKind().toByteValue());
        int lengthAt = len;
        room(4);
        len += 4;
        varint(types.length);
        for (int i = 0; i < types.length; i++) {
            value(getters[i].getFieldOrNull(row), types[i]);
        }
        int n = len - lengthAt - 4;
        buf[lengthAt] = (byte) n;
        buf[lengthAt + 1] = (byte) (n >>> 8);
        buf[lengthAt + 2] = (byte) (n >>> 16);
        buf[lengthAt + 3] = (byte) (n >>> 24);
        count++;
    }

    byte[] bytes() {
        return buf;
    }

    int length() {
        return len;
    }

    int count() {
        return count;
    }

    void clear() {
        len = 0;
        count = 0;
    }

    /** The batch's bytes, copied. */
    byte[] copy() {
        return Arrays.copyOf(buf, len);
    }

    private void value(Object v, LogicalType type) {
        if (v == null) {
            put((byte) 0);
            return;
        }
        switch (type.getTypeRoot()) {
            case BOOLEAN:
                put((byte) 1);
                put((byte) (((Boolean) v) ? 1 : 0));
                break;
            case TINYINT:
                put((byte) 2);
                put((Byte) v);
                break;
            case SMALLINT:
                put((byte) 3);
                little((Short) v, 2);
                break;
            case INTEGER:
                put((byte) 4);
                little((Integer) v, 4);
                break;
            case DATE:
                put((byte) 11);
                little((Integer) v, 4);
                break;
            case TIME_WITHOUT_TIME_ZONE:
                // Flink: milliseconds of the day; the interface: nanoseconds.
                put((byte) 12);
                little(((Integer) v) * 1_000_000L, 8);
                break;
            case BIGINT:
                put((byte) 5);
                little((Long) v, 8);
                break;
            case FLOAT:
                put((byte) 6);
                little(Float.floatToRawIntBits((Float) v), 4);
                break;
            case DOUBLE:
                put((byte) 7);
                little(Double.doubleToRawLongBits((Double) v), 8);
                break;
            case DECIMAL:
                decimal((DecimalData) v, (DecimalType) type);
                break;
            case CHAR:
            case VARCHAR:
                put((byte) 9);
                bytes(((StringData) v).toBytes());
                break;
            case BINARY:
            case VARBINARY:
                put((byte) 10);
                bytes((byte[]) v);
                break;
            case TIMESTAMP_WITHOUT_TIME_ZONE:
                put((byte) 13);
                timestamp((TimestampData) v);
                break;
            case TIMESTAMP_WITH_LOCAL_TIME_ZONE:
                put((byte) 14);
                timestamp((TimestampData) v);
                break;
            case ARRAY: {
                put((byte) 15);
                LogicalType element = ((ArrayType) type).getElementType();
                ArrayData array = (ArrayData) v;
                items(array, element);
                break;
            }
            case MAP: {
                put((byte) 16);
                MapType map = (MapType) type;
                MapData data = (MapData) v;
                ArrayData keys = data.keyArray();
                ArrayData values = data.valueArray();
                ArrayData.ElementGetter k = ArrayData.createElementGetter(map.getKeyType());
                ArrayData.ElementGetter g = ArrayData.createElementGetter(map.getValueType());
                varint(data.size());
                for (int i = 0; i < data.size(); i++) {
                    value(k.getElementOrNull(keys, i), map.getKeyType());
                    value(g.getElementOrNull(values, i), map.getValueType());
                }
                break;
            }
            case ROW: {
                put((byte) 17);
                RowType row = (RowType) type;
                RowData data = (RowData) v;
                varint(row.getFieldCount());
                for (int i = 0; i < row.getFieldCount(); i++) {
                    LogicalType t = row.getTypeAt(i);
                    value(RowData.createFieldGetter(t, i).getFieldOrNull(data), t);
                }
                break;
            }
            default:
                throw new PluginException("type " + type.asSummaryString()
                        + " is not supported by connector plugins");
        }
    }

    private void items(ArrayData array, LogicalType element) {
        ArrayData.ElementGetter getter = ArrayData.createElementGetter(element);
        varint(array.size());
        for (int i = 0; i < array.size(); i++) {
            value(getter.getElementOrNull(array, i), element);
        }
    }

    private void decimal(DecimalData d, DecimalType type) {
        put((byte) 8);
        long hi;
        long lo;
        if (DecimalData.isCompact(d.precision())) {
            lo = d.toUnscaledLong();
            hi = lo < 0 ? -1L : 0L;
        } else {
            BigInteger unscaled = d.toBigDecimal().unscaledValue();
            lo = unscaled.longValue();
            hi = unscaled.shiftRight(64).longValue();
        }
        little(hi, 8);
        little(lo, 8);
        put((byte) type.getPrecision());
        put((byte) type.getScale());
    }

    private void timestamp(TimestampData ts) {
        long millis = ts.getMillisecond();
        long seconds = Math.floorDiv(millis, 1000L);
        long nanos = Math.floorMod(millis, 1000L) * 1_000_000L + ts.getNanoOfMillisecond();
        little(seconds, 8);
        little(nanos, 4);
    }

    private void bytes(byte[] b) {
        varint(b.length);
        room(b.length);
        System.arraycopy(b, 0, buf, len, b.length);
        len += b.length;
    }

    private void varint(long n) {
        while ((n & ~0x7FL) != 0) {
            put((byte) ((n & 0x7F) | 0x80));
            n >>>= 7;
        }
        put((byte) n);
    }

    private void little(long v, int n) {
        room(n);
        for (int i = 0; i < n; i++) {
            buf[len++] = (byte) (v >>> (8 * i));
        }
    }

    private void put(byte b) {
        room(1);
        buf[len++] = b;
    }

    private void room(int n) {
        if (len + n > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
        }
    }
}

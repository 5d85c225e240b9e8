package dev.connectors.flink;

import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.types.logical.BinaryType;
import org.apache.flink.table.types.logical.CharType;
import org.apache.flink.table.types.logical.DecimalType;
import org.apache.flink.table.types.logical.LocalZonedTimestampType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.TimeType;
import org.apache.flink.table.types.logical.TimestampType;
import org.apache.flink.table.types.logical.VarBinaryType;
import org.apache.flink.table.types.logical.VarCharType;

/** Flink's logical types as interface 1.x's {@code TypeKind}s, precisions and scales. */
final class Types {
    static final int BOOLEAN = 1, TINYINT = 2, SMALLINT = 3, INT = 4, BIGINT = 5, FLOAT = 6,
            DOUBLE = 7, DECIMAL = 8, CHAR = 9, VARCHAR = 10, BINARY = 11, VARBINARY = 12,
            DATE = 13, TIME = 14, TIMESTAMP = 15, TIMESTAMP_LTZ = 16, ARRAY = 17, MAP = 18,
            ROW = 19;

    /** STRING and BYTES: a length of 2147483647 in Flink, u32::MAX in the interface. */
    private static final long UNBOUNDED = 0xFFFFFFFFL;

    private Types() {}

    static int kind(LogicalType type, String table, String column) {
        switch (type.getTypeRoot()) {
            case BOOLEAN: return BOOLEAN;
            case TINYINT: return TINYINT;
            case SMALLINT: return SMALLINT;
            case INTEGER: return INT;
            case BIGINT: return BIGINT;
            case FLOAT: return FLOAT;
            case DOUBLE: return DOUBLE;
            case DECIMAL: return DECIMAL;
            case CHAR: return CHAR;
            case VARCHAR: return VARCHAR;
            case BINARY: return BINARY;
            case VARBINARY: return VARBINARY;
            case DATE: return DATE;
            case TIME_WITHOUT_TIME_ZONE: return TIME;
            case TIMESTAMP_WITHOUT_TIME_ZONE: return TIMESTAMP;
            case TIMESTAMP_WITH_LOCAL_TIME_ZONE: return TIMESTAMP_LTZ;
            case ARRAY: return ARRAY;
            case MAP: return MAP;
            case ROW: return ROW;
            default:
                throw new ValidationException("table '" + table + "': column '" + column
                        + "' has type " + type.asSummaryString()
                        + ", which connector plugins do not support");
        }
    }

    static long precision(LogicalType type) {
        switch (type.getTypeRoot()) {
            case CHAR: return ((CharType) type).getLength();
            case VARCHAR: {
                int n = ((VarCharType) type).getLength();
                return n == VarCharType.MAX_LENGTH ? UNBOUNDED : n;
            }
            case BINARY: return ((BinaryType) type).getLength();
            case VARBINARY: {
                int n = ((VarBinaryType) type).getLength();
                return n == VarBinaryType.MAX_LENGTH ? UNBOUNDED : n;
            }
            case DECIMAL: return ((DecimalType) type).getPrecision();
            case TIME_WITHOUT_TIME_ZONE: return ((TimeType) type).getPrecision();
            case TIMESTAMP_WITHOUT_TIME_ZONE: return ((TimestampType) type).getPrecision();
            case TIMESTAMP_WITH_LOCAL_TIME_ZONE:
                return ((LocalZonedTimestampType) type).getPrecision();
            default: return 0;
        }
    }

    static long scale(LogicalType type) {
        return type instanceof DecimalType ? ((DecimalType) type).getScale() : 0;
    }
}

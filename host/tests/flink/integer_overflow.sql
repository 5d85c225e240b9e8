-- Integer arithmetic and casts that overflow: Flink follows Java (two's complement wrapping;
-- a DOUBLE too large for an INT becomes its largest value).
CREATE TABLE src (i INT, b BIGINT) WITH ('connector' = 'datagen', 'number-of-rows' = '1', 'fields.i.kind' = 'sequence', 'fields.i.start' = '2147483647', 'fields.i.end' = '2147483647', 'fields.b.kind' = 'sequence', 'fields.b.start' = '9223372036854775807', 'fields.b.end' = '9223372036854775807');
CREATE TABLE sink_t (a INT, c INT, d INT, e BIGINT, f INT, g INT, h SMALLINT) WITH ('connector' = 'print');
INSERT INTO sink_t SELECT i + 1, CAST(b AS INT), CAST(1e10 AS INT), b + 1, i * 2, -i - 2, CAST(i AS SMALLINT) FROM src

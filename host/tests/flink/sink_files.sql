-- What the filesystem sink writes, in Flink's json and csv formats: JSON members in column
-- order, DECIMALs as Java's BigDecimal without trailing zeros, timestamps in the SQL form;
-- csv fields quoted when they hold the delimiter or a quote or start or end with a space, NULL
-- empty.
CREATE TABLE src (id INT) WITH ('connector' = 'datagen', 'number-of-rows' = '1', 'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '1');
CREATE TABLE j (zeta INT, alpha STRING, a DECIMAL(5, 2), b DECIMAL(5, 2), c DECIMAL(5, 2), d DECIMAL(10, 0), e DECIMAL(5, 3), g DECIMAL(5, 2), h DOUBLE, i FLOAT, k TIMESTAMP(3), l TIMESTAMP(3), m TIME(0), n DATE, o BOOLEAN, p BYTES, q STRING) WITH ('connector' = 'filesystem', 'path' = '{out}/1-json', 'format' = 'json');
CREATE TABLE c (id INT, a STRING, b STRING, n STRING, q STRING, d DECIMAL(5, 2), f DOUBLE) WITH ('connector' = 'filesystem', 'path' = '{out}/2-csv', 'format' = 'csv');
INSERT INTO j SELECT id, 'x', 100.00, 0.00, 12.30, CAST(1200 AS DECIMAL(10, 0)), 0.001, -1.50, 1e21, CAST(0.1 AS FLOAT), TIMESTAMP '2020-01-02 03:04:05', TIMESTAMP '2020-01-02 03:04:05.5', TIME '03:04:05', DATE '2020-01-02', TRUE, CAST('hi' AS BYTES), CAST(NULL AS STRING) FROM src;
INSERT INTO c SELECT id, ' padded ', 'a,b', CAST(NULL AS STRING), 'say "hi"', 2.50, 1.0E0 FROM src

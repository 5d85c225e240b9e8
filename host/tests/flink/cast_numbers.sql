-- CASTs from DECIMAL and DOUBLE to exact types (cut toward zero to an integer, rounded half up
-- to a DECIMAL's scale, NULL when too large for the DECIMAL), and from text with a time to DATE.
CREATE TABLE src (s STRING) WITH ('connector' = 'datagen', 'number-of-rows' = '1', 'fields.s.length' = '5');
CREATE TABLE sink_t (a INT, b INT, c BIGINT, d DECIMAL(5, 2), e DECIMAL(5, 2), f DECIMAL(4, 1), g DECIMAL(10, 3), h DATE, i INT, j DOUBLE) WITH ('connector' = 'print');
INSERT INTO sink_t SELECT CAST(3.7 AS INT), CAST(-3.7 AS INT), CAST(CAST(-2.5 AS DOUBLE) AS BIGINT), CAST(1.005 AS DECIMAL(5, 2)), CAST(12345.678 AS DECIMAL(5, 2)), CAST(CAST(2.25 AS DOUBLE) AS DECIMAL(4, 1)), CAST(7 AS DECIMAL(10, 3)), CAST('2020-01-02' AS DATE), CAST(CAST(99.99 AS DECIMAL(4, 2)) AS INT), CAST(CAST(0.1 AS DECIMAL(3, 2)) AS DOUBLE) FROM src

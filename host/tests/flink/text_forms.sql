-- FLOAT and DOUBLE as text: CAST(x AS STRING) and the print connector, as Flink 1.20.3 writes
-- them. (Left out, known to differ: CAST(-0.0 AS DOUBLE), which Flink reads as DECIMAL 0.0 and
-- prints 0.0; and FLOAT 123456789, which Java 17's Float.toString prints 1.23456792E8 where the
-- shortest digits, as Java 19+ prints, give 1.2345679E8.)
CREATE TABLE src (d DOUBLE) WITH ('connector' = 'datagen', 'number-of-rows' = '1');
CREATE TABLE sink_t (a STRING, b STRING, c STRING, d STRING, e STRING, f STRING, g STRING, h STRING, i STRING, j STRING, k DOUBLE, l FLOAT) WITH ('connector' = 'print');
INSERT INTO sink_t SELECT CAST(CAST(1 AS DOUBLE) AS STRING), CAST(CAST(1000 AS DOUBLE) AS STRING), CAST(1.5E-7 AS STRING), CAST(1E21 AS STRING), CAST(CAST(1E7 AS DOUBLE) AS STRING), CAST(CAST(9999999 AS DOUBLE) AS STRING), CAST(CAST(0.001 AS DOUBLE) AS STRING), CAST(CAST(0.0001 AS DOUBLE) AS STRING), CAST(CAST(0.1 AS FLOAT) AS STRING), CAST(CAST(1.25 AS DOUBLE) AS STRING), CAST(2 AS DOUBLE), CAST(0.5 AS FLOAT) FROM src

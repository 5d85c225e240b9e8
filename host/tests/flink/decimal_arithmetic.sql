-- DECIMAL arithmetic as Flink derives it: literals such as 0.1 are DECIMAL(1,1) (not DOUBLE);
-- + - * / % give a DECIMAL of Flink's derived precision and scale (division: scale at least 6),
-- rounded half up; an INT operand counts as DECIMAL(10,0); a DOUBLE operand makes it DOUBLE; a
-- result too large for DECIMAL(38, s) is NULL; a DECIMAL result fits a narrower DECIMAL column.
CREATE TABLE src (qty INT) WITH ('connector' = 'datagen', 'number-of-rows' = '3', 'fields.qty.kind' = 'sequence', 'fields.qty.start' = '1', 'fields.qty.end' = '3');
CREATE TABLE sink_t (a DECIMAL(12, 2), b STRING, c STRING, d STRING, e STRING, f STRING, g STRING, h STRING, i STRING, j STRING, k BOOLEAN, l STRING, m DOUBLE) WITH ('connector' = 'print');
INSERT INTO sink_t SELECT CAST(19.99 AS DECIMAL(10, 2)) * qty, CAST(0.1 + 0.2 AS STRING), CAST(1.0 / 3 AS STRING), CAST(qty / 4.0 AS STRING), CAST(7.5 % qty AS STRING), CAST(-CAST(19.99 AS DECIMAL(10, 2)) - 0.005 AS STRING), CAST(2.50 * qty AS STRING), CAST(CAST('99999999999999999999999999999999999999' AS DECIMAL(38, 0)) * 10 AS STRING), CAST(CAST(1.25 AS DECIMAL(3, 2)) * CAST(1.5 AS DECIMAL(2, 1)) AS STRING), CAST(qty + 0.05 AS STRING), 1.5 * qty > 2.9, CAST(CAST(2 AS DECIMAL(5, 1)) / 3 AS STRING), 0.5 * CAST(qty AS DOUBLE) FROM src

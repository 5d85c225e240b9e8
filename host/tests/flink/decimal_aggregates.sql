-- DECIMAL aggregates as Flink types them: SUM of DECIMAL(p, s) is DECIMAL(38, s), AVG is
-- DECIMAL(38, max(s, 6)) rounded half up, MIN and MAX keep the type; over DECIMAL arithmetic.
CREATE TABLE src (k INT) WITH ('connector' = 'datagen', 'number-of-rows' = '6', 'fields.k.kind' = 'sequence', 'fields.k.start' = '1', 'fields.k.end' = '6');
CREATE TABLE sink_t (g INT, total STRING, average STRING, low STRING, high STRING, PRIMARY KEY (g) NOT ENFORCED) WITH ('connector' = 'print');
INSERT INTO sink_t SELECT k % 2, CAST(SUM(CAST(k AS DECIMAL(5, 2)) * 1.10) AS STRING), CAST(AVG(CAST(k AS DECIMAL(5, 2)) / 3) AS STRING), CAST(MIN(k * 0.5) AS STRING), CAST(MAX(k * 0.5) AS STRING) FROM src GROUP BY k % 2

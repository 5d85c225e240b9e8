-- BOOLEAN as text: the print connector writes true/false, CAST(b AS STRING) gives TRUE/FALSE.
CREATE TABLE src (s STRING) WITH ('connector' = 'datagen', 'number-of-rows' = '1', 'fields.s.length' = '5');
CREATE TABLE sink_t (a BOOLEAN, b STRING, c STRING, d STRING) WITH ('connector' = 'print');
INSERT INTO sink_t SELECT TRUE, CAST(TRUE AS STRING), CAST(1 > 2 AS STRING), CONCAT('is ', CAST(FALSE AS VARCHAR(3))) FROM src

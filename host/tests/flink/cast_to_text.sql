-- CAST to character types: VARCHAR(n) cuts to n characters, CHAR(n) pads with spaces to n.
CREATE TABLE src (s STRING) WITH ('connector' = 'datagen', 'number-of-rows' = '1', 'fields.s.length' = '5');
CREATE TABLE sink_t (a STRING, b STRING, c STRING, d STRING, e STRING, f STRING) WITH ('connector' = 'print');
INSERT INTO sink_t SELECT CAST('abcdef' AS VARCHAR(3)), CAST('ab' AS CHAR(3)), CONCAT('[', CAST('ab' AS CHAR(4)), ']'), CAST(12345 AS VARCHAR(2)), CAST('héllo' AS VARCHAR(2)), CAST(CAST('xyz' AS VARCHAR(5)) AS CHAR(1)) FROM src

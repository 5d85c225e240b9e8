-- IS [NOT] TRUE / FALSE (never NULL) after a comparison and on NULL; CREATE TEMPORARY TABLE.
CREATE TEMPORARY TABLE src (a INT) WITH ('connector' = 'datagen', 'number-of-rows' = '3', 'fields.a.kind' = 'sequence', 'fields.a.start' = '1', 'fields.a.end' = '3');
CREATE TEMPORARY TABLE sink_t (a INT, b BOOLEAN, c BOOLEAN, d BOOLEAN, e BOOLEAN, f BOOLEAN) WITH ('connector' = 'print');
INSERT INTO sink_t SELECT a, a > 1 IS TRUE, a > 1 IS NOT TRUE, CAST(NULL AS BOOLEAN) IS FALSE, CAST(NULL AS BOOLEAN) IS NOT FALSE, (a = 2) IS FALSE FROM src

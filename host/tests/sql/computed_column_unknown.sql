--fail=line 2, column 43: table 'src', computed column 'd': unknown column 'b'; available: src.a, src.c
CREATE TABLE src (a INT, c AS a + 1, d AS b * 2) WITH ('connector' = 'datagen', 'number-of-rows' = '1');
CREATE TABLE sink_t (a INT) WITH ('connector' = 'blackhole');
INSERT INTO sink_t SELECT a FROM src;

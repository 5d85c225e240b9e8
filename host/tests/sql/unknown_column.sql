--fail=line 4, column 28: unknown column 'b'; available: src.a
CREATE TABLE src (a INT) WITH ('connector' = 'datagen', 'number-of-rows' = '1');
CREATE TABLE out (a INT) WITH ('connector' = 'blackhole');
INSERT INTO out SELECT a + b FROM src;

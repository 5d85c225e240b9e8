--fail=line 3, column 13: unknown table 'nowhere'; known tables: src
CREATE TABLE src (a INT) WITH ('connector' = 'datagen', 'number-of-rows' = '1');
INSERT INTO nowhere SELECT a FROM src;

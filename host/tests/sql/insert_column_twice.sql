--fail=column 'a' of table 'out' is written twice
CREATE TABLE src (a STRING) WITH ('connector' = 'datagen', 'number-of-rows' = '1');
CREATE TABLE out (id INT, a STRING) WITH ('connector' = 'blackhole');
INSERT INTO out (a, a) SELECT a, a FROM src;

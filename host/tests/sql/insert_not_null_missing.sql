--fail=column 'id' of table 'out' is NOT NULL and the INSERT does not write it
CREATE TABLE src (a STRING) WITH ('connector' = 'datagen', 'number-of-rows' = '1');
CREATE TABLE out (id INT NOT NULL, a STRING) WITH ('connector' = 'blackhole');
INSERT INTO out (a) SELECT a FROM src;

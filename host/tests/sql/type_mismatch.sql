--fail=column 2 of the query, 'name' STRING, cannot be written to column 'age' INT of table 'out'
CREATE TABLE src (id INT, name STRING) WITH ('connector' = 'datagen', 'number-of-rows' = '1');
CREATE TABLE out (id INT, age INT) WITH ('connector' = 'blackhole');
INSERT INTO out SELECT id, name FROM src;

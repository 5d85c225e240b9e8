--fail=line 4, column 27: not supported: regular joins (the host runs lookup joins: JOIN ... FOR SYSTEM_TIME AS OF ...)
CREATE TABLE a (id INT) WITH ('connector' = 'datagen', 'number-of-rows' = '1');
CREATE TABLE b (id INT) WITH ('connector' = 'datagen', 'number-of-rows' = '1');
SELECT a.id FROM a JOIN b ON a.id = b.id;

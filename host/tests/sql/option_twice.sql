--fail=table 'r': option 'port' is given twice
CREATE TABLE src (a STRING, b STRING) WITH ('connector' = 'datagen', 'number-of-rows' = '1');
CREATE TABLE r (a STRING, b STRING) WITH ('connector' = 'redis', 'hostname' = 'h', 'port' = '6379', 'port' = '6380');
INSERT INTO r SELECT a, b FROM src;

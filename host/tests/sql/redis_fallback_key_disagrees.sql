--fail=table 'r': options 'hostname' and 'host' are the same option and are given different values; give one of them
CREATE TABLE src (a STRING, b STRING) WITH ('connector' = 'datagen', 'number-of-rows' = '1');
CREATE TABLE r (a STRING, b STRING) WITH ('connector' = 'redis', 'hostname' = 'a', 'host' = 'b');
INSERT INTO r SELECT a, b FROM src;

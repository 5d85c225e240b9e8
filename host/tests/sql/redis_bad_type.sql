--fail=table 'r': invalid value 'list' for option 'type': expected one of: string, hash
CREATE TABLE src (a STRING, b STRING) WITH ('connector' = 'datagen', 'number-of-rows' = '1');
CREATE TABLE r (a STRING, b STRING) WITH ('connector' = 'redis', 'hostname' = 'h', 'type' = 'list');
INSERT INTO r SELECT a, b FROM src;

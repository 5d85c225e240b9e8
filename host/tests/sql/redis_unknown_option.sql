--fail=table 'r': Unsupported options found for 'redis'.
CREATE TABLE src (a STRING, b STRING) WITH ('connector' = 'datagen', 'number-of-rows' = '1');
CREATE TABLE r (a STRING, b STRING) WITH ('connector' = 'redis', 'hostname' = 'h', 'hostnme' = 'x');
INSERT INTO r SELECT a, b FROM src;

--fail=table 'r': invalid value '0s' for option 'connect.timeout': expected a duration such as '500ms', '1s', '2 min' or '1h' of at least 1ms
CREATE TABLE src (a STRING, b STRING) WITH ('connector' = 'datagen', 'number-of-rows' = '1');
CREATE TABLE r (a STRING, b STRING) WITH ('connector' = 'redis', 'hostname' = 'h', 'connect.timeout' = '0s');
INSERT INTO r SELECT a, b FROM src;

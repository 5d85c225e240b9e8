-- The json formats' options from Flink's docs: a missing field is NULL unless
-- json.fail-on-missing-field; ISO-8601 timestamps with json.timestamp-format.standard;
-- canal-json.database.include / table.include (regular expressions over the whole name) skip
-- other tables' changes; debezium-json.schema-include reads messages with their schema.
CREATE TABLE j (id INT, ts TIMESTAMP(3)) WITH ('connector' = 'filesystem', 'path' = 'data/options.json', 'format' = 'json', 'json.fail-on-missing-field' = 'false', 'json.timestamp-format.standard' = 'ISO-8601');
CREATE TABLE c (id INT, name STRING) WITH ('connector' = 'filesystem', 'path' = 'data/options_canal.json', 'format' = 'canal-json', 'canal-json.database.include' = 'shop', 'canal-json.table.include' = 'orders.*');
CREATE TABLE d (id INT, name STRING) WITH ('connector' = 'filesystem', 'path' = 'data/options_debezium.json', 'format' = 'debezium-json', 'debezium-json.schema-include' = 'true');
CREATE TABLE sink_j (id INT, ts TIMESTAMP(3)) WITH ('connector' = 'print');
CREATE TABLE sink_c (id INT, name STRING) WITH ('connector' = 'print');
INSERT INTO sink_j SELECT id, ts FROM j;
INSERT INTO sink_c SELECT id, name FROM c;
INSERT INTO sink_c SELECT id, name FROM d

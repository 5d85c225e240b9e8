-- csv fields as Flink's csv format reads them: an empty field is an empty text for the
-- character types (quoted or not); a BOOLEAN is true only for the text true (any case, trimmed;
-- '1', '' and others are false). (An empty field for a number fails the job, as in Flink:
-- host/tests/files.rs.)
CREATE TABLE src (id INT, s STRING, t STRING, b BOOLEAN) WITH ('connector' = 'filesystem', 'path' = 'data/empty.csv', 'format' = 'csv');
CREATE TABLE sink_t (id INT, s STRING, t STRING, ls INT, lt INT, b BOOLEAN) WITH ('connector' = 'print');
INSERT INTO sink_t SELECT id, s, t, CHAR_LENGTH(s), CHAR_LENGTH(t), b FROM src

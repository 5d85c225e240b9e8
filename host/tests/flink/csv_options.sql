-- The csv format's options: another field delimiter and quote character, a null literal,
-- comment lines; a quoted field may hold a line break (the record goes on on the next line).
CREATE TABLE src (id INT, s STRING, t STRING) WITH ('connector' = 'filesystem', 'path' = 'data/options.csv', 'format' = 'csv', 'csv.field-delimiter' = ';', 'csv.quote-character' = '''', 'csv.null-literal' = 'NULL_TEXT', 'csv.allow-comments' = 'true');
CREATE TABLE sink_t (id INT, s STRING, t STRING, n INT) WITH ('connector' = 'print');
INSERT INTO sink_t SELECT id, s, t, CHAR_LENGTH(s) FROM src

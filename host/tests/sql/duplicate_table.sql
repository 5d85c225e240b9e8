--fail=line 3, column 1: table 't' already exists
CREATE TABLE t (a INT) WITH ('connector' = 'datagen');
CREATE TABLE t (a INT) WITH ('connector' = 'datagen');

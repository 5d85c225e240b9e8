--fail=SELECT prints its rows only from a bounded source; table 'src' is unbounded
CREATE TABLE src (a INT) WITH ('connector' = 'datagen');
SELECT a FROM src;

--fail=line 2, column 23: expected ')', found 'WITH'
CREATE TABLE t (a INT WITH ('connector' = 'datagen');

--fail=line 2, column 1: expected SET, CREATE TABLE, DROP TABLE, INSERT INTO or SELECT, found 'UPDATE'
UPDATE t SET a = 1;
